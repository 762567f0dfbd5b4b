// redub-cli: the headless Redub. Dispatches to sub-commands (app/cli/).
#include "cli/commands.hpp"
#include "redub/error.hpp"
#include "redub/log.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace redub;

namespace {

void printHelp() {
    std::printf("redub-cli %s - re-synchronise lips to new speech\n\n", std::string(log::version()).c_str());
    std::printf("usage: redub-cli [--verbose|--quiet] COMMAND [options]\n"
                "  --verbose  debug log; --quiet  warnings and errors only, no progress lines\n\ncommands:\n");
    for (const auto& c : cli::commands()) std::printf("  %-10s %s\n", c.name, c.summary);
    std::printf("  %-10s %s\n", "bench", "run a benchmark and print a table (redub-cli bench --help)");
    std::printf("\n`redub-cli COMMAND --help` shows a command's options.\n"
                "Exit codes: 0 ok, 1 usage, 2 bad input, 3 unsupported, 4 I/O, 5 model, 6 cancelled, 7 internal.\n");
}

int runBench(const std::vector<std::string>& rest) {
    if (rest.empty() || rest[0] == "--help" || rest[0] == "-h") {
        std::printf("usage: redub-cli bench WHAT [options]\n\nbenchmarks:\n");
        for (const auto& b : cli::benches()) std::printf("  %-10s %s\n", b.name, b.summary);
        return rest.empty() ? 1 : 0;
    }
    for (const auto& b : cli::benches())
        if (rest[0] == b.name)
            return b.run(cli::Args({rest.begin() + 1, rest.end()}, {"json", "quick", "one", "no-moving-detail", "no-edge-restore", "no-source-lips", "draft"}));
    std::fprintf(stderr, "redub-cli bench: unknown benchmark '%s'\n", rest[0].c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    while (!args.empty() && (args[0] == "--verbose" || args[0] == "--quiet")) {
        log::setLevel(args[0] == "--verbose" ? spdlog::level::debug : spdlog::level::warn);
        cli::setQuiet(args[0] == "--quiet");
        args.erase(args.begin());
    }
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printHelp();
        return args.empty() ? 1 : 0;
    }
    if (args[0] == "--version") {
        std::printf("redub-cli %s\n", std::string(log::version()).c_str());
        return 0;
    }
    const std::string name = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
        if (name == "bench") return runBench(rest);
        for (const auto& c : cli::commands()) {
            if (name != c.name) continue;
            if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) {
                std::printf("%s\n\n%s\n", c.summary, c.usage);
                return 0;
            }
            return c.run(cli::Args(rest, c.flags));
        }
        std::fprintf(stderr, "redub-cli: unknown command '%s' (see redub-cli --help)\n", name.c_str());
        return 1;
    } catch (const Error& e) {
        std::fprintf(stderr, "redub-cli %s: %s: %s\n", name.c_str(), std::string(toString(e.kind())).c_str(), e.what());
        return exitCode(e.kind());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "redub-cli %s: internal error: %s\n", name.c_str(), e.what());
        return exitCode(ErrorKind::Internal);
    }
}
