# Finds every third-party dependency the idiomatic way, once, for all layers.

find_package(PkgConfig REQUIRED)
pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET
  libavcodec libavformat libavutil libswscale libswresample)
pkg_check_modules(PORTAUDIO REQUIRED IMPORTED_TARGET portaudio-2.0)

find_package(spdlog REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs video)
find_package(dlib REQUIRED)
find_package(Threads REQUIRED)

# LibTorch. The default is Debian's CPU build (found with no prefix path).
# -DREDUB_WITH_CUDA=ON -DTorch_DIR=/path/to/libtorch/share/cmake/Torch selects a
# CUDA LibTorch. A CPU build never enables CUDA just because nvcc is on PATH.
if(REDUB_WITH_CUDA)
  if(NOT Torch_DIR)
    message(FATAL_ERROR "REDUB_WITH_CUDA=ON needs -DTorch_DIR=<CUDA libtorch>/share/cmake/Torch")
  endif()
  find_package(Torch REQUIRED)
  if(NOT TORCH_CUDA_LIBRARIES AND NOT TARGET torch_cuda)
    message(FATAL_ERROR "The LibTorch at ${Torch_DIR} has no CUDA support")
  endif()
else()
  find_package(Torch REQUIRED)
endif()
message(STATUS "LibTorch: ${Torch_DIR} (CUDA build: ${REDUB_WITH_CUDA})")

if(REDUB_BUILD_GUI OR REDUB_BUILD_TESTS)
  find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets Concurrent Test)
endif()
