/*
 * Helpers shared by the lib/port unit tests.
 */
#ifndef SX_TESTS_PORT_TEST_H
#define SX_TESTS_PORT_TEST_H

#include "ut.h"

#endif
