#include "media/versions.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}
#include <portaudio.h>

namespace redub::media {
namespace {
std::string ver(const char* name, unsigned v) {
    return std::string(name) + " " + std::to_string(AV_VERSION_MAJOR(v)) + "." + std::to_string(AV_VERSION_MINOR(v)) +
           "." + std::to_string(AV_VERSION_MICRO(v));
}
}  // namespace

std::string libraryVersions() {
    return ver("libavcodec", avcodec_version()) + ", " + ver("libavformat", avformat_version()) + ", " +
           ver("libavutil", avutil_version()) + ", " + ver("libswscale", swscale_version()) + ", " +
           ver("libswresample", swresample_version()) + ", " + Pa_GetVersionText();
}

}  // namespace redub::media
