/*
 * sx_digitmap: the user patterns of sipXecs rule files (mappingrules.xml,
 * fallbackrules.xml, authrules.xml; sipXcommserverLib digit maps):
 * 'x' a digit, '[1-3a]' a class, '.' zero or more of anything, any other
 * character itself.  Shared by the registrar's and the proxy's rules.
 */
#ifndef SX_UTIL_DIGITMAP_H
#define SX_UTIL_DIGITMAP_H

#include <stdbool.h>

#include <sx/util/sl.h>

/**
 * Does @user match @pattern as a whole?  When it does and @vdigitsp is
 * not NULL, *@vdigitsp gets the part of @user from where the first
 * variable element ('x', '.', '[...]') matched ({vdigits} of the rules),
 * empty when the pattern has none.  Backtracks over '.': keep patterns
 * short (the rule parsers bound them).
 */
bool sx_digitmap_match(struct sx_sl pattern, struct sx_sl user,
                       struct sx_sl *vdigitsp);

#endif
