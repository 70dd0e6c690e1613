#include "clients/aws_credentials.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "clients/aws_config_files.hpp"
#include "clients/aws_endpoints.hpp"
#include "clients/aws_metadata_credentials.hpp"
#include "clients/aws_sts.hpp"
#include "common/process_environment.hpp"
#include "common/rfc3339.hpp"

namespace firedrill::clients {

namespace {

std::string env_value(const Environment& env, const char* name) {
  auto it = env.find(name);
  return it != env.end() ? it->second : std::string();
}

std::string setting(const AwsProfile& profile, const char* name) {
  auto it = profile.find(name);
  return it != profile.end() ? it->second : std::string();
}

std::string trimmed_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw AwsCredentialsError("cannot read " + what + " " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty()) throw AwsCredentialsError(what + " " + path + " is empty");
  return s;
}

std::string default_session_name() {
  return "firedrill-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                           WallClock::now().time_since_epoch())
                                           .count());
}

class StaticSource final : public AwsCredentialSource {
 public:
  explicit StaticSource(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
  AwsCredentials fetch() override { return credentials_; }
  std::string describe() const override { return credentials_.source; }

 private:
  AwsCredentials credentials_;
};

class AssumeRoleSource final : public AwsCredentialSource {
 public:
  AssumeRoleSource(std::unique_ptr<AwsCredentialSource> source, StsEndpoint sts,
                   AssumeRoleRequest request, std::string profile)
      : source_(std::move(source)),
        sts_(std::move(sts)),
        request_(std::move(request)),
        profile_(std::move(profile)) {}

  AwsCredentials fetch() override {
    AwsCredentials c = sts_assume_role(client_, sts_, source_.get(), request_);
    c.source = describe();
    return c;
  }
  std::string describe() const override {
    return "profile " + profile_ + ": STS AssumeRole of " + request_.role_arn + " with " +
           source_.describe();
  }

 private:
  AwsCredentialCache source_;
  StsEndpoint sts_;
  AssumeRoleRequest request_;
  std::string profile_;
  common::HttpClient client_;
};

class WebIdentitySource final : public AwsCredentialSource {
 public:
  WebIdentitySource(StsEndpoint sts, AssumeRoleRequest request, std::string token_file)
      : sts_(std::move(sts)), request_(std::move(request)), token_file_(std::move(token_file)) {}

  // The token file is read at every fetch: the kubelet rotates it.
  AwsCredentials fetch() override {
    std::string token = trimmed_file(token_file_, "the web identity token file");
    AwsCredentials c = sts_assume_role_with_web_identity(client_, sts_, request_, token);
    c.source = describe();
    return c;
  }
  std::string describe() const override {
    return "web identity: STS AssumeRoleWithWebIdentity of " + request_.role_arn +
           " with the token in " + token_file_;
  }

 private:
  StsEndpoint sts_;
  AssumeRoleRequest request_;
  std::string token_file_;
  common::HttpClient client_;
};

class ContainerSource final : public AwsCredentialSource {
 public:
  ContainerSource(std::string url, std::string token, std::string token_file,
                  common::Duration timeout)
      : url_(std::move(url)),
        token_(std::move(token)),
        token_file_(std::move(token_file)),
        timeout_(timeout) {}

  // The token file wins over the token and is read at every fetch (EKS Pod Identity rotates it).
  AwsCredentials fetch() override {
    std::string token = token_file_.empty()
                            ? token_
                            : trimmed_file(token_file_, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    return fetch_container_credentials(client_, url_, token, timeout_);
  }
  std::string describe() const override {
    return "container credentials at " + common::redact_url(url_);
  }

 private:
  std::string url_;
  std::string token_;
  std::string token_file_;
  common::Duration timeout_;
  common::HttpClient client_;
};

class InstanceSource final : public AwsCredentialSource {
 public:
  InstanceSource(std::string endpoint, common::Duration timeout)
      : endpoint_(std::move(endpoint)), timeout_(timeout) {}
  AwsCredentials fetch() override {
    return fetch_instance_credentials(client_, endpoint_, timeout_);
  }
  std::string describe() const override {
    return "EC2 instance metadata (IMDSv2) at " + common::redact_url(endpoint_);
  }

 private:
  std::string endpoint_;
  common::Duration timeout_;
  common::HttpClient client_;
};

class Chain {
 public:
  explicit Chain(const AwsCredentialOptions& options) : options_(options) {}

  std::unique_ptr<AwsCredentialSource> resolve() {
    const Environment& env = options_.env;
    if (!options_.profile.empty()) return profile(options_.profile, "integrations.aws.profile");
    if (auto source = environment()) return source;
    if (!env_value(env, "AWS_WEB_IDENTITY_TOKEN_FILE").empty()) {
      std::string role = env_value(env, "AWS_ROLE_ARN");
      if (role.empty()) {
        throw AwsCredentialsError(
            "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: web identity (IRSA) "
            "needs both");
      }
      std::string session = env_value(env, "AWS_ROLE_SESSION_NAME");
      return web_identity(role, session, env_value(env, "AWS_WEB_IDENTITY_TOKEN_FILE"));
    }
    std::string named = env_value(env, "AWS_PROFILE");
    if (!named.empty()) return profile(named, "AWS_PROFILE");
    if (files().profile("default")) return profile("default", "the default profile");
    if (auto source = container()) return source;
    if (env_value(env, "AWS_EC2_METADATA_DISABLED") == "true") {
      throw AwsCredentialsError(
          "no AWS credentials: none in the environment (AWS_ACCESS_KEY_ID), no web identity "
          "(AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE), no profile in " +
          files().where() +
          ", no container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI), and EC2 instance "
          "metadata is disabled (AWS_EC2_METADATA_DISABLED)");
    }
    return instance();
  }

 private:
  const AwsConfigFiles& files() {
    if (!files_) files_ = AwsConfigFiles::load(options_.env);
    return *files_;
  }

  StsEndpoint sts() const {
    StsEndpoint sts;
    sts.region = options_.region.empty() ? "us-east-1" : options_.region;
    sts.url = options_.sts_endpoint;
    if (sts.url.empty()) sts.url = aws_endpoint_from_env(options_.env, "STS");
    if (sts.url.empty()) {
      sts.url = options_.region.empty() ? "https://sts.amazonaws.com"
                                        : aws_default_endpoint("sts", options_.region);
    }
    while (sts.url.ends_with("/")) sts.url.pop_back();
    sts.timeout = options_.timeout;
    return sts;
  }

  std::unique_ptr<AwsCredentialSource> environment() {
    const Environment& env = options_.env;
    std::string id = env_value(env, "AWS_ACCESS_KEY_ID");
    std::string secret = env_value(env, "AWS_SECRET_ACCESS_KEY");
    if (id.empty() && secret.empty()) return nullptr;
    if (id.empty() || secret.empty()) {
      throw AwsCredentialsError(
          std::string(id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is set but " +
          (id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
          " is not: environment credentials need both");
    }
    AwsCredentials c{id, secret, env_value(env, "AWS_SESSION_TOKEN"), std::nullopt, "environment"};
    return std::make_unique<StaticSource>(std::move(c));
  }

  std::unique_ptr<AwsCredentialSource> web_identity(const std::string& role,
                                                    const std::string& session,
                                                    const std::string& token_file) {
    AssumeRoleRequest request;
    request.role_arn = role;
    request.session_name = session.empty() ? default_session_name() : session;
    return std::make_unique<WebIdentitySource>(sts(), std::move(request), token_file);
  }

  std::unique_ptr<AwsCredentialSource> container() {
    const Environment& env = options_.env;
    std::string url = env_value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    std::string relative = env_value(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (!relative.empty()) {
      url = "http://169.254.170.2" + relative;
    } else if (url.empty()) {
      return nullptr;
    } else if (!allowed_container_url(url)) {
      throw AwsCredentialsError(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI " + common::redact_url(url) +
          " must be https, or http to loopback or the ECS / EKS Pod Identity agent "
          "(169.254.170.2, 169.254.170.23)");
    }
    return std::make_unique<ContainerSource>(
        url, env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), options_.timeout);
  }

  std::unique_ptr<AwsCredentialSource> instance() {
    std::string endpoint = env_value(options_.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (endpoint.empty()) endpoint = "http://169.254.169.254";
    return std::make_unique<InstanceSource>(endpoint, options_.metadata_timeout);
  }

  // role_arn with source_profile, credential_source or web_identity_token_file; or static keys.
  std::unique_ptr<AwsCredentialSource> profile(const std::string& name, const std::string& why) {
    if (!visited_.insert(name).second) {
      throw AwsCredentialsError("profile " + name + " is its own source_profile, through a loop");
    }
    std::optional<AwsProfile> p = files().profile(name);
    if (!p) {
      throw AwsCredentialsError("profile " + name + " (from " + why + ") is in neither " +
                                files().where());
    }
    std::string id = setting(*p, "aws_access_key_id");
    std::string secret = setting(*p, "aws_secret_access_key");
    auto static_keys = [&]() -> std::unique_ptr<AwsCredentialSource> {
      if (id.empty() || secret.empty()) return nullptr;
      AwsCredentials c{id, secret, setting(*p, "aws_session_token"), std::nullopt,
                       "profile " + name};
      return std::make_unique<StaticSource>(std::move(c));
    };
    std::string role = setting(*p, "role_arn");
    if (role.empty()) {
      if (auto keys = static_keys()) return keys;
      std::string hint =
          !setting(*p, "credential_process").empty() ? "credential_process"
          : !setting(*p, "sso_session").empty() || !setting(*p, "sso_start_url").empty()
              ? "IAM Identity Center (SSO)"
              : "";
      if (!hint.empty()) {
        throw AwsCredentialsError("profile " + name + " uses " + hint +
                                  ", which firedrill does not run: export the credentials to the "
                                  "environment (aws configure export-credentials --format env)");
      }
      throw AwsCredentialsError("profile " + name + " in " + files().where() +
                                " has neither aws_access_key_id with aws_secret_access_key nor "
                                "role_arn");
    }

    AssumeRoleRequest request;
    request.role_arn = role;
    request.session_name = setting(*p, "role_session_name");
    if (request.session_name.empty()) request.session_name = default_session_name();
    request.external_id = setting(*p, "external_id");
    if (std::string d = setting(*p, "duration_seconds"); !d.empty()) {
      try {
        request.duration_seconds = std::stoi(d);
      } catch (const std::exception&) {
        throw AwsCredentialsError("profile " + name + ": duration_seconds \"" + d +
                                  "\" is not a number of seconds");
      }
    }
    if (std::string token_file = setting(*p, "web_identity_token_file"); !token_file.empty()) {
      return web_identity(role, request.session_name, token_file);
    }

    std::unique_ptr<AwsCredentialSource> source;
    std::string source_profile = setting(*p, "source_profile");
    std::string credential_source = setting(*p, "credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      throw AwsCredentialsError("profile " + name +
                                " has both source_profile and credential_source: keep one");
    }
    if (source_profile == name) {
      source = static_keys();
      if (!source) {
        throw AwsCredentialsError("profile " + name +
                                  " is its own source_profile but has no static keys");
      }
    } else if (!source_profile.empty()) {
      source = profile(source_profile, "source_profile of " + name);
    } else if (credential_source == "Environment") {
      source = environment();
      if (!source) {
        throw AwsCredentialsError("profile " + name +
                                  " has credential_source Environment but AWS_ACCESS_KEY_ID is "
                                  "not set");
      }
    } else if (credential_source == "EcsContainer") {
      source = container();
      if (!source) {
        throw AwsCredentialsError("profile " + name +
                                  " has credential_source EcsContainer but neither "
                                  "AWS_CONTAINER_CREDENTIALS_FULL_URI nor _RELATIVE_URI is set");
      }
    } else if (credential_source == "Ec2InstanceMetadata") {
      source = instance();
    } else if (!credential_source.empty()) {
      throw AwsCredentialsError("profile " + name + ": credential_source \"" + credential_source +
                                "\" is not Environment, EcsContainer or Ec2InstanceMetadata");
    } else {
      throw AwsCredentialsError("profile " + name +
                                " has role_arn but no source_profile, "
                                "credential_source or web_identity_token_file");
    }
    return std::make_unique<AssumeRoleSource>(std::move(source), sts(), std::move(request), name);
  }

  const AwsCredentialOptions& options_;
  std::optional<AwsConfigFiles> files_;
  std::set<std::string> visited_;
};

}  // namespace

Environment process_environment() {
  return common::ProcessEnvironment::current().variables();
}

std::string AwsCredentials::to_string() const {
  std::string key = access_key_id.size() > 4
                        ? "****" + access_key_id.substr(access_key_id.size() - 4)
                        : std::string("****");
  std::string text = "access key " + key;
  if (!session_token.empty() || expiration) {
    text += " (temporary";
    if (expiration) text += ", expires " + common::format_rfc3339(*expiration);
    text += ")";
  }
  if (!source.empty()) text += " from " + source;
  return text;
}

std::unique_ptr<AwsCredentialSource> default_credential_source(
    const AwsCredentialOptions& options) {
  return Chain(options).resolve();
}

AwsCredentialCache::AwsCredentialCache(std::unique_ptr<AwsCredentialSource> source,
                                       common::Duration refresh_before)
    : source_(std::move(source)), refresh_before_(refresh_before) {}

AwsCredentials AwsCredentialCache::get(WallClock::time_point now) {
  std::lock_guard lock(mutex_);
  const bool fresh =
      cached_ && (!cached_->expiration || *cached_->expiration - now > refresh_before_);
  if (fresh) return *cached_;
  try {
    cached_ = source_->fetch();
  } catch (const AwsCredentialsError&) {
    if (cached_ && cached_->expiration && *cached_->expiration > now) return *cached_;
    throw;
  }
  return *cached_;
}

void AwsCredentialCache::invalidate() {
  std::lock_guard lock(mutex_);
  if (cached_) cached_->expiration = WallClock::time_point{};
}

}  // namespace firedrill::clients
