// The tables of sub-commands and benchmarks. Add a line here for a new command.
#include "cli/commands.hpp"

namespace redub::cli {

// Declarations of the command entry points (defined in cmd_*.cpp).
int cmdInfo(const Args&);

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"info", "print versions of Redub and its libraries, and where its data is", "redub-cli info", {}, cmdInfo},
    };
    return table;
}

const std::vector<Bench>& benches() {
    static const std::vector<Bench> table = {};
    return table;
}

}  // namespace redub::cli
