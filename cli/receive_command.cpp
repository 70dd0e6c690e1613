#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>
#include <mutex>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "common/bounded_file.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"
#include "local/notification_receiver.hpp"

namespace firedrill::cli {

namespace {

// A credential from a file, so that it is in no process listing; without its trailing newline.
std::string read_secret(const std::string& flag, const std::string& path) {
  std::string why;
  std::optional<std::string> text = common::read_bounded_file(path, 64 * 1024, why);
  if (!text) throw common::UsageError(flag + ": cannot read \"" + path + "\": " + why);
  std::string secret = common::trimmed(*text);
  if (secret.empty()) throw common::UsageError(flag + ": \"" + path + "\" is empty");
  return secret;
}

struct ReceiveCommand {
  std::string listen;
  std::vector<std::string> allowed_topics;
  std::size_t max_body = 1024 * 1024;
  std::string bearer_token_file;
  std::string basic_auth_file;
  std::string path_secret_file;
  bool insecure = false;

  local::ReceiverAuth auth() const {
    local::ReceiverAuth a;
    if (!bearer_token_file.empty()) {
      a.bearer_token = read_secret("--bearer-token-file", bearer_token_file);
    }
    if (!basic_auth_file.empty()) {
      std::string pair = read_secret("--basic-auth-file", basic_auth_file);
      std::size_t colon = pair.find(':');
      if (colon == std::string::npos || colon == 0) {
        throw common::UsageError("--basic-auth-file: \"" + basic_auth_file +
                                 "\" must hold USERNAME:PASSWORD");
      }
      a.basic_username = pair.substr(0, colon);
      a.basic_password = pair.substr(colon + 1);
    }
    if (!path_secret_file.empty()) {
      a.path_secret = read_secret("--path-secret-file", path_secret_file);
      if (a.path_secret.find_first_of("/?#") != std::string::npos) {
        throw common::UsageError("--path-secret-file: the secret must be one path segment");
      }
    }
    return a;
  }

  int run() const {
    // Blocked before the receiver's threads start, so that they inherit the mask and the
    // signals reach sigwait below instead.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto out_mutex = std::make_shared<std::mutex>();
    auto print = [out_mutex](const nlohmann::json& line) {
      std::lock_guard lock(*out_mutex);
      std::cout << line.dump() << std::endl;
    };
    local::ReceiverOptions options;
    options.listen = listen;
    options.auth = auth();
    options.insecure = insecure;
    try {
      if (local::exposed_without_auth(options)) {
        throw common::UsageError(
            "--listen " + listen +
            " can be reached from other machines, and without credentials anyone who can reach "
            "it can fake a delivered page. Give --bearer-token-file, --basic-auth-file or "
            "--path-secret-file, listen on 127.0.0.1, or say --insecure");
      }
    } catch (const common::ValueError& e) {
      throw common::UsageError(std::string("--") + e.what());
    }
    options.allowed_sns_topics = allowed_topics;
    options.max_body = max_body;
    options.on_notification = [print](const local::Notification& n) { print(n.to_json()); };
    options.on_subscription = [print](const local::SubscriptionEvent& e) {
      print({{"subscription", e.to_json()}});
    };
    std::unique_ptr<local::NotificationReceiver> receiver;
    try {
      receiver = std::make_unique<local::NotificationReceiver>(std::move(options));
    } catch (const common::ValueError& e) {
      throw common::UsageError(std::string("--") + e.what());
    } catch (const std::exception& e) {
      std::cerr << "firedrill receive: " << e.what() << "\n";
      return kExitAborted;
    }
    std::cerr << "firedrill receive: listening on " << receiver->url()
              << " (POST /, /alertmanager, /grafana, /slack, /sns; GET /notifications); Ctrl-C "
                 "stops\n";
    int received = 0;
    sigwait(&signals, &received);
    receiver.reset();
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
    return kExitOk;
  }
};

}  // namespace

CommandRunner add_receive_command(CLI::App& app) {
  auto cmd = std::make_shared<ReceiveCommand>();
  CLI::App* sub = app.add_subcommand(
      "receive",
      "Run the built-in notification receiver on its own: point Alertmanager, Grafana, a\n"
      "Slack-compatible sender or an SNS subscription at it, and each notification it gets is\n"
      "printed as one JSON line on stdout. Formats: Alertmanager webhook, Grafana webhook, Slack\n"
      "incoming-webhook JSON, SNS (signed by SNS, of allowed topics: notifications, and\n"
      "subscription confirmations). GET /notifications lists what it got. Runs until SIGINT or\n"
      "SIGTERM.\n"
      "With a credential flag every request needs it (401 otherwise, and nothing is kept);\n"
      "listening beyond loopback needs one, or --insecure.\n"
      "Exit codes: 0 stopped by a signal, 2 bad usage, 3 the address cannot be bound.");
  sub->add_option("--listen", cmd->listen, "HOST:PORT to listen on, e.g. 127.0.0.1:9095")
      ->required();
  sub->add_option("--allow-sns-topic", cmd->allowed_topics,
                  "accept SNS notifications of, and confirm subscriptions to, this topic ARN\n"
                  "(repeatable); other topics are refused. SNS messages must be signed by SNS");
  sub->add_option("--max-body", cmd->max_body, "largest request body accepted, in bytes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--bearer-token-file", cmd->bearer_token_file,
                  "accept requests with Authorization: Bearer TOKEN, TOKEN read from this file");
  sub->add_option("--basic-auth-file", cmd->basic_auth_file,
                  "accept requests with basic auth USERNAME:PASSWORD, read from this file");
  sub->add_option("--path-secret-file", cmd->path_secret_file,
                  "accept requests to /hooks/SECRET[/PATH], SECRET read from this file");
  sub->add_flag("--insecure", cmd->insecure,
                "allow listening beyond loopback without credentials (anyone who can reach it "
                "can fake a page)");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
