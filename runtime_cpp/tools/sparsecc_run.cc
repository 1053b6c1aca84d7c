// sparsecc-run: run a model file and print JSON (outputs, end-to-end and per-layer times).
//
//   sparsecc-run model.scc [--repeat N] [--warmup W] [--threads T] [--seed S]
//                          [--input name=file.bin]... [--save-outputs DIR]
//
// --save-outputs DIR writes output i as raw little-endian float32 to DIR/<i>.bin
// (DIR must exist; under WASI it must be a preopened directory); the JSON gives
// each output's shape and file. Cross-target tests compare these files with the
// host runtime's and onnxruntime's outputs.
// Inputs not given with --input are filled with seeded uniform random values in
// [-1, 1). A given file must hold exactly the input's float32 elements (raw,
// little-endian). Exit code: 0 ok, 1 model/run error, 2 usage error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "error.h"  // runtime_cpp/src: raise_error, and the fail handler of -fno-exceptions builds
#include "sparsecc/runtime.h"

namespace {

struct Args {
  std::string model;
  int repeat = 10, warmup = 2, threads = 1;
  unsigned seed = 0;
  std::map<std::string, std::string> input_files;
  std::string save_dir;  // --save-outputs: empty = do not write outputs
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "sparsecc-run: %s\nusage: sparsecc-run model.scc [--repeat N] [--warmup W] [--threads T] "
               "[--seed S] [--input name=file.bin]... [--save-outputs DIR]\n"
               "  --input name=file.bin  raw little-endian float32 data for an input (others: seeded random)\n"
               "  --save-outputs DIR     write output i as raw little-endian float32 to DIR/<i>.bin\n",
               why.c_str());
  std::exit(2);
}

int parse_int(const std::string& flag, const char* v, int lo) {
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  if (!*v || *end || x < lo || x > 1000000000L) usage(flag + " expects an integer >= " + std::to_string(lo));
  return int(x);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(s + " needs a value");
      return argv[++i];
    };
    if (s == "--repeat") a.repeat = parse_int(s, value(), 1);
    else if (s == "--warmup") a.warmup = parse_int(s, value(), 0);
    else if (s == "--threads") a.threads = parse_int(s, value(), 1);
    else if (s == "--seed") a.seed = unsigned(parse_int(s, value(), 0));
    else if (s == "--save-outputs") a.save_dir = value();
    else if (s == "--input") {
      std::string kv = value();
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) usage("--input expects name=file.bin, got '" + kv + "'");
      a.input_files[kv.substr(0, eq)] = kv.substr(eq + 1);
    } else if (s == "-h" || s == "--help") usage("help");
    else if (!s.empty() && s[0] == '-') usage("unknown option " + s);
    else if (a.model.empty()) a.model = s;
    else usage("more than one model file given");
  }
  if (a.model.empty()) usage("no model file given");
  return a;
}

std::string json_str(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += char(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += char(c);
  }
  return out + "\"";
}

std::string json_num(double v) {
  if (!(v == v) || v > 1e300 || v < -1e300) return "null";  // NaN / Inf are not JSON
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string json_shape(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Linear-interpolated percentile (q in [0, 1]), the same rule as numpy's default.
double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const size_t lo = size_t(pos), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}

// Every sample, in run order: the profiler (sparsecc profile) computes its own
// statistics and draws one trace track per run from them.
std::string json_samples(const std::vector<double>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_num(v[i]);
  return out + "]";
}

std::vector<float> read_input(const std::string& name, const std::string& path, size_t count) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) sparsecc::detail::raise_error("input '" + name + "': cannot open '" + path + "'");
  const std::streamoff size = f.tellg();
  if (size != std::streamoff(count * sizeof(float)))
    sparsecc::detail::raise_error("input '" + name + "': file '" + path + "' has " + std::to_string(size) + " bytes, expected " +
                          std::to_string(count * sizeof(float)) + " (" + std::to_string(count) + " float32)");
  std::vector<float> v(count);
  f.seekg(0);
  f.read(reinterpret_cast<char*>(v.data()), std::streamsize(count * sizeof(float)));
  return v;
}

// --save-outputs: DIR/<index>.bin, raw float32 in the machine's byte order
// (little-endian on every supported target: x86-64, aarch64, wasm32).
std::string save_output(const std::string& dir, size_t index, const std::vector<float>& v) {
  const std::string path = dir + "/" + std::to_string(index) + ".bin";
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(float)));
  if (!f) sparsecc::detail::raise_error("--save-outputs: cannot write '" + path + "'");
  return path;
}

int run(const Args& a) {
  auto model = sparsecc::Model::load_file(a.model);
  sparsecc::SessionOptions opts;
  opts.num_threads = a.threads;
  sparsecc::Session session(model, opts);

  for (const auto& kv : a.input_files) {
    bool known = false;
    for (const auto& t : model->inputs()) known = known || t.name == kv.first;
    if (!known) sparsecc::detail::raise_error("--input: the model has no input named '" + kv.first + "'");
  }
  std::mt19937 rng(a.seed);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  std::vector<std::vector<float>> inputs;
  for (const auto& t : model->inputs()) {
    const size_t n = size_t(sparsecc::num_elements(t.shape));
    auto it = a.input_files.find(t.name);
    if (it != a.input_files.end()) {
      inputs.push_back(read_input(t.name, it->second, n));
    } else {
      inputs.emplace_back(n);
      for (float& x : inputs.back()) x = uni(rng);
    }
  }
  std::vector<std::vector<float>> outputs;
  for (const auto& t : model->outputs()) outputs.emplace_back(size_t(sparsecc::num_elements(t.shape)));
  std::vector<const float*> in_ptrs;
  for (auto& v : inputs) in_ptrs.push_back(v.data());
  std::vector<float*> out_ptrs;
  for (auto& v : outputs) out_ptrs.push_back(v.data());

  for (int i = 0; i < a.warmup; ++i) session.run(in_ptrs, out_ptrs);
  session.set_profiling(true);
  using clock = std::chrono::steady_clock;
  std::vector<double> total_ms;
  std::vector<std::vector<double>> layer_ms(model->nodes().size());
  for (int i = 0; i < a.repeat; ++i) {
    auto t0 = clock::now();
    session.run(in_ptrs, out_ptrs);
    total_ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
    const auto& prof = session.last_profile();
    for (size_t k = 0; k < prof.size(); ++k) layer_ms[k].push_back(prof[k].seconds * 1e3);
  }

  std::ostringstream js;
  js << "{\n  \"model\": " << json_str(a.model) << ",\n  \"target\": " << json_str(model->target())
     << ",\n  \"producer\": " << json_str(model->producer()) << ",\n  \"threads\": " << a.threads
     << ",\n  \"repeat\": " << a.repeat << ",\n  \"warmup\": " << a.warmup << ",\n  \"arena_bytes\": "
     << model->arena_bytes() << ",\n  \"outputs\": [";
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& t = model->outputs()[i];
    const auto& v = outputs[i];
    double sum = 0;
    for (float x : v) sum += x;
    js << (i ? "," : "") << "\n    {\"name\": " << json_str(t.name) << ", \"shape\": " << json_shape(t.shape)
       << ", \"mean\": " << json_num(v.empty() ? 0.0 : sum / double(v.size()));
    if (!a.save_dir.empty()) js << ", \"file\": " << json_str(save_output(a.save_dir, i, v));
    js << ", \"first\": [";
    for (size_t k = 0; k < std::min<size_t>(v.size(), 5); ++k) js << (k ? ", " : "") << json_num(v[k]);
    js << "]}";
  }
  js << "\n  ],\n  \"time_ms\": {\"median\": " << json_num(median(total_ms))
     << ", \"min\": " << json_num(*std::min_element(total_ms.begin(), total_ms.end()))
     << ", \"max\": " << json_num(*std::max_element(total_ms.begin(), total_ms.end()))
     << ", \"p90\": " << json_num(percentile(total_ms, 0.9)) << ", \"samples\": " << json_samples(total_ms)
     << "},\n  \"layers\": [";
  for (size_t k = 0; k < layer_ms.size(); ++k) {
    const auto& n = model->nodes()[k];
    js << (k ? "," : "") << "\n    {\"name\": " << json_str(n.name) << ", \"op\": " << json_str(n.op)
       << ", \"kernel\": " << json_str(n.kernel) << ", \"median_ms\": " << json_num(median(layer_ms[k]))
       << ", \"output_shape\": " << json_shape(n.output_shapes.empty() ? std::vector<int64_t>{} : n.output_shapes[0])
       << ", \"samples_ms\": " << json_samples(layer_ms[k]) << "}";
  }
  js << "\n  ]\n}\n";
  std::fputs(js.str().c_str(), stdout);
  return 0;
}

}  // namespace

#if !SPARSECC_EXCEPTIONS
// wasm32 (no exceptions): an error ends the command the way the catch below does
[[noreturn]] static void fail_and_exit(const char* message) {
  std::fprintf(stderr, "sparsecc-run: %s\n", message);
  std::exit(1);
}
#endif

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
#if SPARSECC_EXCEPTIONS
  try {
    return run(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sparsecc-run: %s\n", e.what());
    return 1;
  }
#else
  sparsecc::detail::set_fail_handler(fail_and_exit);
  return run(a);
#endif
}
