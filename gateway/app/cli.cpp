#include "app/cli.hpp"

#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace omnigate::app {

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

Args parse_args(int argc, char** argv, int first, const std::vector<std::string>& with_value,
                const std::vector<std::string>& flags) {
  Args args;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      args.help = true;
    } else if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      std::string value;
      const auto eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      if (!inline_value && std::find(flags.begin(), flags.end(), name) != flags.end()) {
        args.options[name] = "";
        continue;
      }
      if (std::find(with_value.begin(), with_value.end(), name) == with_value.end()) {
        throw std::invalid_argument("unknown option --" + name);
      }
      if (!inline_value) {
        if (i + 1 >= argc) throw std::invalid_argument("option --" + name + " needs a value");
        value = argv[++i];
      }
      args.options[name] = value;
    } else {
      args.positional.push_back(arg);
    }
  }
  return args;
}

void print_error(const std::string& message) {
  std::cerr << "omnigate: " << message << std::endl;
}

}  // namespace omnigate::app
