// redub-cli batch: a list of dub jobs from one JSON file, resumable, one failure does not stop
// the others; `--only I` runs one of them (a Slurm array task, a Kubernetes indexed Job).
#include "cli/commands.hpp"
#include "cli/dub_options.hpp"
#include "core/dub/dub.hpp"
#include "redub/error.hpp"
#include "redub/file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace redub::cli {

extern const char* const kBatchUsage =
    "usage: redub-cli batch JOBS.json [--only I] [--count] [--force] [--json-progress]\n"
    "JOBS.json: {\"jobs\": [ {dub options by their long names}, ... ]} (or the list alone), e.g.\n"
    "  {\"jobs\": [{\"video\": \"a.mp4\", \"audio\": \"a.wav\", \"output\": \"out/a.mp4\", \"steps\": 5},\n"
    "            {\"video\": \"b.mp4\", \"text\": \"Hello\", \"voice\": \"hts-slt\", \"output\": \"out/b.mp4\"},\n"
    "            {\"project\": \"c.redub\", \"output\": \"out/c.mp4\"},\n"
    "            {\"video\": \"d.mp4\", \"audio\": \"d.wav\", \"range\": [\"1-2\", \"5-6\"], \"no-texture\": true, \"output\": \"out/d.mp4\"}]}\n"
    "  Values are strings or numbers, true for a flag, a list for a repeated option. Relative paths\n"
    "  (video, audio, output, model, project, text-file) are relative to the jobs file's folder.\n"
    "  Every job is checked (known options, one output per job) before any runs.\n"
    "  --only I          run job I only (0-based: $SLURM_ARRAY_TASK_ID, $JOB_COMPLETION_INDEX)\n"
    "  --count           print the number of jobs and exit\n"
    "  --force           dub again even when a job's output exists (default: skipped, it is finished)\n"
    "  --json-progress   progress, each job's result and the summary as JSON lines on stdout\n"
    "Outputs are written whole or not at all, so a rerun after a crash or a cancel resumes.\n"
    "Exit code: 0 when every job is done or already there; else the number of failed jobs (at most 99);\n"
    "130 when cancelled (Ctrl-C, SIGTERM: the running job leaves no output, later jobs do not start);\n"
    "a jobs file that cannot be read or checked: the usual codes (2 bad input).";

namespace {

// Option values that are paths, resolved against the jobs file's folder.
bool isPathOption(const std::string& name) {
    return name == "video" || name == "audio" || name == "output" || name == "model" || name == "project" ||
           name == "text-file";
}

struct Job {
    std::vector<std::string> argv;  // as if typed after `redub-cli dub`
    std::string output;             // as given (resolved), empty when the project names it
};

std::string valueText(const fs::path& file, size_t index, const std::string& key, const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return nlohmann::json(v.get<double>()).dump();
    fail(ErrorKind::BadInput, file,
         "job " + std::to_string(index) + ": \"" + key + "\" must be a string, a number, true or a list of them");
}

// Reads and checks every job before any runs: an unknown option, a wrong value type or two jobs
// with one output is the jobs file's error (Error{BadInput} naming it and the job).
std::vector<Job> readJobs(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(ErrorKind::BadInput, file, fs::exists(file) ? "cannot be read" : "does not exist");
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        fail(ErrorKind::BadInput, file, std::string("is not valid JSON: ") + e.what());
    }
    const nlohmann::json list = doc.is_object() && doc.contains("jobs") ? doc["jobs"] : doc;
    if (!list.is_array()) fail(ErrorKind::BadInput, file, "must hold a list of jobs: {\"jobs\": [ {...}, ... ]}");
    if (list.empty()) fail(ErrorKind::BadInput, file, "holds no jobs");

    const fs::path base = file.has_parent_path() ? file.parent_path() : fs::path(".");
    const auto known = dubOptionNames();
    std::set<std::string> flags;
    for (const auto& c : commands())
        if (std::string(c.name) == "dub") flags = c.flags;
    std::map<std::string, size_t> outputs;
    std::vector<Job> jobs;
    for (size_t i = 0; i < list.size(); ++i) {
        const auto& j = list[i];
        if (!j.is_object()) fail(ErrorKind::BadInput, file, "job " + std::to_string(i) + " is not an object of dub options");
        Job job;
        for (const auto& [key, value] : j.items()) {
            if (!known.count(key) || key == "json-progress")
                fail(ErrorKind::BadInput, file, "job " + std::to_string(i) + ": unknown option \"" + key + "\"");
            if (flags.count(key)) {
                if (value != true)
                    fail(ErrorKind::BadInput, file, "job " + std::to_string(i) + ": \"" + key + "\" is a flag: give true or leave it out");
                job.argv.push_back("--" + key);
                continue;
            }
            for (const auto& item : value.is_array() ? value : nlohmann::json::array({value})) {
                std::string text = valueText(file, i, key, item);
                if (isPathOption(key) && fs::path(text).is_relative()) text = (base / text).lexically_normal().string();
                if (key == "output") job.output = text;
                job.argv.push_back("--" + key);
                job.argv.push_back(text);
            }
        }
        if (!job.output.empty()) {
            const std::string key = fs::absolute(job.output).lexically_normal().string();
            if (auto [it, fresh] = outputs.emplace(key, i); !fresh)
                fail(ErrorKind::BadInput, file,
                     "jobs " + std::to_string(it->second) + " and " + std::to_string(i) + " both write " + job.output);
        }
        jobs.push_back(std::move(job));
    }
    return jobs;
}

void printJson(const nlohmann::json& j) {
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
}

}  // namespace

int cmdBatch(const Args& args) {
    args.allowOnly({"only", "count", "force", "json-progress"});
    if (args.positional().size() != 1) fail(ErrorKind::BadInput, "give one jobs file: redub-cli batch JOBS.json");
    const fs::path file = args.positional()[0];
    const std::vector<Job> jobs = readJobs(file);
    if (args.has("count")) {
        std::printf("%zu\n", jobs.size());
        return 0;
    }
    size_t first = 0, last = jobs.size();
    if (args.has("only")) {
        const long long only = args.getInt("only", 0);
        if (only < 0 || only >= (long long)jobs.size())
            fail(ErrorKind::BadInput, "option --only must be in 0.." + std::to_string(jobs.size() - 1) + " (" +
                                          file.string() + " holds " + std::to_string(jobs.size()) + " jobs)");
        first = size_t(only);
        last = first + 1;
    }
    const bool json = args.has("json-progress"), force = args.has("force");
    const std::stop_token stop = stopOnInterrupt();
    std::set<std::string> dub_flags;
    for (const auto& c : commands())
        if (std::string(c.name) == "dub") dub_flags = c.flags;

    int done = 0, skipped = 0, failed = 0;
    bool cancelled = false;
    for (size_t i = first; i < last && !cancelled; ++i) {
        const std::string tag = "job " + std::to_string(i) + " of " + std::to_string(jobs.size());
        nlohmann::json result = {{"job", i}};
        try {
            const Args job_args(jobs[i].argv, dub_flags);
            core::DubParams p = dubJobParams(job_args);
            result["output"] = p.output.string();
            if (fs::exists(p.output) && !force) {
                ++skipped;
                result["status"] = "skipped";
                if (json) printJson(result);
                else if (!quiet()) std::fprintf(stderr, "%s %s: already there, skipped\n", tag.c_str(), p.output.c_str());
                continue;
            }
            if (p.output.has_parent_path()) fs::create_directories(p.output.parent_path());
            ScratchPaths scratch;
            completeDubParams(job_args, p, scratch, stop);
            core::DubCallbacks cb;
            int last_decile = -1;
            cb.progress = [&](const Progress& pr) {
                if (json) {
                    printJson({{"job", i}, {"stage", pr.stage}, {"done", pr.done}, {"total", pr.total},
                               {"fraction", pr.fraction}, {"eta_s", pr.eta_seconds}});
                } else if (!quiet() && int(pr.fraction * 10) != last_decile) {
                    last_decile = int(pr.fraction * 10);
                    std::fprintf(stderr, "%s %-9s %5.1f%%\n", tag.c_str(), pr.stage.c_str(), 100.0 * pr.fraction);
                }
            };
            const core::DubReport r = core::runDub(p, cb, stop);
            ++done;
            result.update({{"status", "done"}, {"frames", r.frames}, {"seconds", r.wall_s}, {"fps", r.fps()}});
            if (json) printJson(result);
            else std::printf("%s: wrote %s (%lld frames in %.1f s)\n", tag.c_str(), r.output.c_str(), (long long)r.frames, r.wall_s);
        } catch (const Error& e) {
            cancelled = e.kind() == ErrorKind::Cancelled;
            if (!cancelled) ++failed;
            result.update({{"status", cancelled ? "cancelled" : "failed"},
                           {"error", std::string(toString(e.kind())) + ": " + e.what()}});
            if (json) printJson(result);
            else std::fprintf(stderr, "%s %s: %s\n", tag.c_str(), cancelled ? "cancelled" : "FAILED", e.what());
        } catch (const std::exception& e) {
            ++failed;
            result.update({{"status", "failed"}, {"error", std::string("internal: ") + e.what()}});
            if (json) printJson(result);
            else std::fprintf(stderr, "%s FAILED: %s\n", tag.c_str(), e.what());
        }
    }
    const int ran = int(last - first);
    if (json)
        printJson({{"summary", {{"jobs", ran}, {"done", done}, {"skipped", skipped}, {"failed", failed}, {"cancelled", cancelled}}}});
    else
        std::printf("batch %s: %d jobs: %d done, %d already there, %d failed%s\n", file.c_str(), ran, done, skipped, failed,
                    cancelled ? ", cancelled" : "");
    if (cancelled) return 130;
    return std::min(failed, 99);
}

}  // namespace redub::cli
