#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>
#include <mutex>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "clients/notification_receiver.hpp"
#include "common/errors.hpp"

namespace firedrill::cli {

namespace {

struct ReceiveCommand {
  std::string listen;
  std::vector<std::string> allowed_topics;
  std::size_t max_body = 1024 * 1024;

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
    clients::ReceiverOptions options;
    options.listen = listen;
    options.allowed_sns_topics = allowed_topics;
    options.max_body = max_body;
    options.on_notification = [print](const clients::Notification& n) { print(n.to_json()); };
    options.on_subscription = [print](const clients::SubscriptionEvent& e) {
      print({{"subscription", e.to_json()}});
    };
    std::unique_ptr<clients::NotificationReceiver> receiver;
    try {
      receiver = std::make_unique<clients::NotificationReceiver>(std::move(options));
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
      "incoming-webhook JSON, SNS (notifications, and subscription confirmations for allowed\n"
      "topics). GET /notifications lists what it got. Runs until SIGINT or SIGTERM.\n"
      "Exit codes: 0 stopped by a signal, 2 bad usage, 3 the address cannot be bound.");
  sub->add_option("--listen", cmd->listen, "HOST:PORT to listen on, e.g. 127.0.0.1:9095")
      ->required();
  sub->add_option("--allow-sns-topic", cmd->allowed_topics,
                  "confirm SNS subscriptions to this topic ARN (repeatable); others are refused");
  sub->add_option("--max-body", cmd->max_body, "largest request body accepted, in bytes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
