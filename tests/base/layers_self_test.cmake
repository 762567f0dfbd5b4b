# The layer check must fail on a deliberately wrong include and a wrong link, naming each.
#   cmake -DCHECK=<check_layers.cmake> -DWORK=<scratch dir> -P layers_self_test.cmake
file(REMOVE_RECURSE "${WORK}")
set(cases
  "media/bad_media.cpp|#include \"core/dub/dub.hpp\""
  "models/bad_models.cpp|#include \"media/video_reader.hpp\""
  "base/bad_base.cpp|#include <opencv2/core.hpp>"
  "core/face/bad_face.cpp|#include \"core/train/train_job.hpp\""
  "core/audio/bad_audio.cpp|#include \"core/dub/dub.hpp\""
  "ui/bad_ui.cpp|#include <torch/torch.h>")
foreach(c ${cases})
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 rel)
  list(GET parts 1 line)
  file(WRITE "${WORK}/${rel}" "${line}\n")
endforeach()
file(WRITE "${WORK}/core/dub/good.cpp" "#include \"core/face/crop.hpp\"\n")
execute_process(COMMAND ${CMAKE_COMMAND} -DSRC=${WORK} "-DCORE_LIBS=redub::base|flite" "-DSYNTH_LIBS=flite"
                        "-DMEDIA_LIBS=avcodec" "-DMODELS_LIBS=torch" "-DUI_LIBS=Qt6::Widgets" -P ${CHECK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the layer check passed a tree with wrong includes:\n${out}${err}")
endif()
foreach(expect bad_media.cpp bad_models.cpp bad_base.cpp bad_face.cpp bad_audio.cpp bad_ui.cpp "redub_core links flite")
  string(FIND "${err}" "${expect}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the layer check did not name ${expect}:\n${err}")
  endif()
endforeach()
string(FIND "${err}" "good.cpp" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "the layer check refused an allowed include (core/dub -> core/face):\n${err}")
endif()
file(REMOVE_RECURSE "${WORK}")
message(STATUS "the layer check fails on every wrong include and link, and names them")
