#include "cli/commands.hpp"

#include <atomic>
#include <csignal>

namespace redub::cli {
namespace {
std::stop_source g_interrupt;
extern "C" void onInterrupt(int) {
    g_interrupt.request_stop();  // an atomic store: no stop_callback is ever registered on it
}
}  // namespace

std::stop_token stopOnInterrupt() {
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    return g_interrupt.get_token();
}

namespace {
std::atomic<bool> g_quiet{false};
}
bool quiet() { return g_quiet.load(); }
void setQuiet(bool on) { g_quiet = on; }

}  // namespace redub::cli
