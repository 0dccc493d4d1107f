# The offer/answer target replays the parser's corpus (same inputs).
set(SEEDS_fuzz_sdp_oa ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_sdp)
