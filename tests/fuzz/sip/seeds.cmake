# Extra seed folders for the SIP fuzz targets (tests/fuzz/CMakeLists.txt
# replays them with CTest and scripts/fuzz.sh feeds them to libFuzzer).
# SX_SHARED_DIR is the cache variable of tests/CMakeLists.txt.
set(SEEDS_fuzz_msg
	${SX_SHARED_DIR}/testdata/fuzz/seeds/pjproject-fuzz-sip
	${SX_SHARED_DIR}/testdata/rfc4475
	${SX_SHARED_DIR}/testdata/rfc5118/wire)
# Stream framing starts from the same realistic messages.
set(SEEDS_fuzz_frame
	${CMAKE_CURRENT_LIST_DIR}/../corpus/fuzz_msg
	${SX_SHARED_DIR}/testdata/fuzz/seeds/pjproject-fuzz-sip)
