# redub_library(NAME source...): the static library redub_NAME with its alias redub::NAME,
# headers included from the repository root ("media/probe.hpp", "core/dub/dub.hpp").
function(redub_library name)
  add_library(redub_${name} STATIC ${ARGN})
  add_library(redub::${name} ALIAS redub_${name})
  target_include_directories(redub_${name} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
