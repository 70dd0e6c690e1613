#include "cli/app.hpp"

int main(int argc, char** argv) {
  return firedrill::cli::run_app(argc, argv);
}
