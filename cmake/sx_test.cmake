# Helpers that register tests, fuzz targets and their corpus replays.

# sx_add_unit_test(NAME SOURCES... LIBS libs... [LABELS l...] [ARGS a...])
# One executable per test module, linked with the harness; CTest runs it
# once (each case in its own child process) and once more in OOM mode when
# OOM is given.
function(sx_add_unit_test name)
	cmake_parse_arguments(T "OOM" "" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
	add_executable(${name} ${T_SOURCES})
	target_link_libraries(${name} PRIVATE sx_ut ${T_LIBS})
	set(labels unit ${T_LABELS})
	add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
	set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT 300)
	if(T_OOM)
		add_test(NAME ${name}.oom COMMAND ${name} --oom ${T_ARGS})
		set_tests_properties(${name}.oom PROPERTIES
			LABELS "${labels};oom" TIMEOUT 600)
	endif()
	# Cases end with _exit(), which skips TSan's exit-code hook: make a
	# race fail the case at once.
	if(SX_TSAN)
		set_tests_properties(${name} PROPERTIES
			ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1")
		if(T_OOM)
			set_tests_properties(${name}.oom PROPERTIES
				ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1")
		endif()
	endif()
endfunction()

# sx_add_fuzz_target(NAME SOURCE LIBS libs... [CORPUS dirs...])
# With SX_FUZZ the target links libFuzzer; otherwise it links the replay
# driver and CTest replays every file of the corpus dirs through it.
function(sx_add_fuzz_target name)
	cmake_parse_arguments(F "" "SOURCE" "LIBS;CORPUS" ${ARGN})
	add_executable(${name} ${F_SOURCE})
	target_link_libraries(${name} PRIVATE ${F_LIBS})
	if(SX_FUZZ)
		target_link_options(${name} PRIVATE -fsanitize=fuzzer)
	else()
		target_sources(${name} PRIVATE
			${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
	endif()
	set(dirs "")
	foreach(d ${F_CORPUS})
		if(EXISTS ${d})
			list(APPEND dirs ${d})
		endif()
	endforeach()
	if(dirs)
		add_test(NAME ${name}.replay COMMAND ${name} ${dirs})
		set_tests_properties(${name}.replay PROPERTIES
			LABELS "fuzz" TIMEOUT 600)
	endif()
endfunction()
