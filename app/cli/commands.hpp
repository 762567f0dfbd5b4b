// The redub-cli sub-commands. Each lives in its own cmd_*.cpp and only parses
// arguments, calls a core/media/models API and prints results.
#pragma once

#include "cli/args.hpp"

#include <stop_token>
#include <string>
#include <vector>

namespace redub::cli {

struct Command {
    const char* name;
    const char* summary;
    const char* usage;                   // printed by `redub-cli NAME --help`
    std::set<std::string> flags;         // options that take no value
    int (*run)(const Args& args);        // returns the exit code; throws redub::Error
};

// Every registered command, in the order --help lists them.
const std::vector<Command>& commands();

// `redub-cli bench WHAT`: one entry per benchmark.
struct Bench {
    const char* name;
    const char* summary;
    int (*run)(const Args& args);
};
const std::vector<Bench>& benches();

// Ctrl-C and SIGTERM request a stop on the returned token (long jobs finish cleanly:
// dub deletes its partial output, train writes a checkpoint).
std::stop_token stopOnInterrupt();

// `redub-cli --quiet ...`: no progress lines on stderr (warnings and errors still print).
bool quiet();
void setQuiet(bool on);

}  // namespace redub::cli
