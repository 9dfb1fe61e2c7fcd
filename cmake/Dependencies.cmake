# Every dependency comes from a Debian package; when one is missing, stop and name the package.
set(PERFMC_MISSING_PACKAGES "")
macro(perfmc_require found debian_package)
  if(NOT ${found})
    list(APPEND PERFMC_MISSING_PACKAGES ${debian_package})
  endif()
endmacro()

find_path(RELACY_INCLUDE_DIR relacy/relacy.hpp)
perfmc_require(RELACY_INCLUDE_DIR relacy-dev)
find_package(Catch2 2 QUIET)
perfmc_require(Catch2_FOUND catch2)
find_package(CLI11 QUIET)
perfmc_require(CLI11_FOUND libcli11-dev)
find_package(tomlplusplus QUIET)
perfmc_require(tomlplusplus_FOUND libtomlplusplus-dev)
find_package(nlohmann_json 3 QUIET)
perfmc_require(nlohmann_json_FOUND nlohmann-json3-dev)
find_package(fmt QUIET)
perfmc_require(fmt_FOUND libfmt-dev)
find_package(pugixml QUIET)
perfmc_require(pugixml_FOUND libpugixml-dev)

if(PERFMC_MISSING_PACKAGES)
  list(JOIN PERFMC_MISSING_PACKAGES " " missing)
  message(FATAL_ERROR "perfmc: missing Debian packages: ${missing}\n"
    "  install them with: apt-get install -y ${missing}\n"
    "  (or run ./setup.sh, which does this for you)")
endif()

add_library(perfmc::relacy INTERFACE IMPORTED)
target_include_directories(perfmc::relacy SYSTEM INTERFACE ${RELACY_INCLUDE_DIR})
