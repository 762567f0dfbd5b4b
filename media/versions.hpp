#pragma once
#include <string>

namespace redub::media {

// "libavcodec 59.37.100, libavformat ..., PortAudio V19.7.0" - for --version and logs.
std::string libraryVersions();

}  // namespace redub::media
