#include <iostream>

#include "checker/cli/cli.h"

int main(int argc, char **argv)
{
	std::vector<std::string> args(argv + 1, argv + argc);
	return perfmc::perfmc_main(args, std::cout, std::cerr);
}
