# Warning set adapted from libre (STYLE.md 2.1); -Werror in CI.
set(SX_WARNINGS
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
	-Wold-style-definition -Wformat=2 -Wvla -Wimplicit-fallthrough
	-Wno-unused-parameter)
if(SX_WERROR)
	list(APPEND SX_WARNINGS -Werror)
endif()
add_compile_options(${SX_WARNINGS})
