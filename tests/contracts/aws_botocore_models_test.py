#!/usr/bin/env python3
"""The AWS contract server (tests/fixtures/aws_contract_server.py) and firedrill's AWS calls,
held to botocore's service models (Debian's python3-botocore), which nobody here wrote.

1. The validator (tests/fixtures/botocore_shapes.py) can fail: an unknown member, a wrong type, a
   missing required member, a number out of range, an enum violation, a length, a pattern, a
   timestamp in the wrong form, an unknown error code, a bad query form or XML answer are each
   reported, and valid values are not.
2. The server refuses requests the models refuse, signed here by botocore itself, and records as
   a violation an answer of its own that drifts from the models.
3. firedrill runs drills (`firedrill run`) whose cloudwatch.alarm, cloudwatch.metric and
   logs.cloudwatch checks call the server, with container credentials, a profile's AssumeRole and
   web identity, through throttling, 5xx, an expired token, refusals and a query that never ends.
   Afterwards every request the server logged and every answer it gave is checked here again,
   apart from the server: by botocore_shapes, by botocore's own parameter validator, by
   botocore's serializers (the same parameters serialized by botocore give what firedrill sent),
   and by botocore's parsers (which read every member of every answer, and the error codes).

Usage: aws_botocore_models_test.py SOURCE_DIR FIREDRILL_BINARY (run with /usr/bin/python3)
"""

import copy
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SOURCE, FIREDRILL = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SOURCE, "tests", "fixtures"))
import botocore_shapes  # noqa: E402  (exits saying so when botocore is missing)
import botocore.auth  # noqa: E402
import botocore.awsrequest  # noqa: E402
import botocore.credentials  # noqa: E402
import botocore.loaders  # noqa: E402
import botocore.model  # noqa: E402
import botocore.parsers  # noqa: E402
import botocore.serialize  # noqa: E402
import botocore.validate  # noqa: E402

KEY, SECRET = "AKIDCONTRACTSTATIC", "contract/Static+Secret0123456789"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.contract-web-identity.sig"
CONTAINER_TOKEN = "contract-container-authorization"
GROUP = "/aws/containerinsights/prod/application"
GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:" + GROUP
KILLS = "filter @message like /OOMKilled/ | stats count(*) as kills"
SLOW = "filter @message like /slow/ | stats count(*) as slow"
DIMENSIONS = {"ClusterName": "prod", "Namespace": "shop", "PodName": "checkout"}

MODELS = botocore_shapes.Models()
passed, failed = 0, []


def expect(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failed.append(what)
        print("FAILED:", what, flush=True)


def wire_models():
    """The models as the wire speaks them: CloudWatch in JSON 1.0 (as newer botocore models
    say it, with the same shapes), Logs in JSON 1.1, STS in the query protocol."""
    loader = botocore.loaders.create_loader()
    out = {}
    for name in botocore_shapes.SERVICES:
        data = copy.deepcopy(loader.load_service_model(name, "service-2"))
        if name == "cloudwatch":
            data["metadata"].update(protocol="json", jsonVersion="1.0",
                                    targetPrefix="GraniteServiceVersion20100801")
        out[name] = botocore.model.ServiceModel(data, name)
    return out


WIRE = wire_models()


# ---- 1. the validator can fail -------------------------------------------------------------

def self_checks():
    start_query = {"logGroupIdentifiers": [GROUP_ARN], "startTime": 1700000000,
                   "endTime": 1700000600, "queryString": KILLS}
    metric_query = {"Id": "m1", "MetricStat": {"Metric": {
        "Namespace": "ContainerInsights", "MetricName": "pod_restarts",
        "Dimensions": [{"Name": "PodName", "Value": "checkout"}]}, "Period": 60,
        "Stat": "Maximum"}, "ReturnData": True}
    credentials = ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                   "<AssumeRoleResult><Credentials><AccessKeyId>ASIACONTRACT00000001"
                   "</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t"
                   "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>"
                   "</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId>"
                   "</ResponseMetadata></AssumeRoleResponse>")
    token_error = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                   "<Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>m</Message>"
                   "</Error><RequestId>r</RequestId></ErrorResponse>")
    form = [("Action", "AssumeRole"), ("Version", "2011-06-15"),
            ("RoleArn", "arn:aws:iam::123456789012:role/firedrill"),
            ("RoleSessionName", "firedrill-test"), ("DurationSeconds", "900"),
            ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "sre")]

    def with_(document, **changes):
        return dict(copy.deepcopy(document), **changes)

    def query(pairs):
        return MODELS.check_query_request("sts", pairs)[1]

    valid = [
        ("StartQuery with logGroupIdentifiers",
         MODELS.check_request("logs", "StartQuery", start_query)),
        ("FilterLogEvents by logGroupIdentifier alone",
         MODELS.check_request("logs", "FilterLogEvents",
                              {"logGroupIdentifier": GROUP_ARN, "startTime": 1700000000000})),
        ("GetMetricData", MODELS.check_request("cloudwatch", "GetMetricData", {
            "MetricDataQueries": [metric_query], "StartTime": 1700000000,
            "EndTime": 1700000600.5})),
        ("a GetQueryResults answer", MODELS.check_answer("logs", "GetQueryResults", {
            "status": "Complete", "results": [[{"field": "kills", "value": "7"}]],
            "statistics": {"recordsMatched": 1.0, "recordsScanned": 2, "bytesScanned": 3.5}})),
        ("a modeled error", MODELS.check_json_error(
            "logs", "StartQuery", 400, {"__type": "MalformedQueryException", "message": "m"})),
        ("CloudWatch's query-compatible throttling", MODELS.check_json_error(
            "cloudwatch", "DescribeAlarms", 400,
            {"__type": "com.amazonaws.cloudwatch#Throttling", "message": "Rate exceeded"},
            {"x-amzn-query-error": "Throttling;Sender"})),
        ("an AssumeRole form with a tag", query(form)),
        ("an AssumeRole answer", MODELS.check_query_answer("sts", "AssumeRole", 200,
                                                           credentials)),
        ("an STS error", MODELS.check_query_answer("sts", "AssumeRoleWithWebIdentity", 400,
                                                   token_error)),
    ]
    for what, problems in valid:
        expect(problems == [], "the validator passes %s: %s" % (what, problems))

    bad_metric = copy.deepcopy(metric_query)
    del bad_metric["MetricStat"]["Metric"]["Dimensions"][0]["Value"]
    invalid = [
        ("an unknown member",
         MODELS.check_request("logs", "StartQuery", with_(
             {k: v for k, v in start_query.items() if k != "logGroupIdentifiers"},
             logGroupIdentifier=GROUP_ARN)),
         "StartQuery.logGroupIdentifier: no such member (members: logGroupName, logGroupNames, "
         "logGroupIdentifiers"),
        ("a wrong type", MODELS.check_request("cloudwatch", "DescribeAlarms",
                                              {"MaxRecords": "100"}),
         "DescribeAlarms.MaxRecords: expected an integer"),
        ("a boolean as text", MODELS.check_request("cloudwatch", "GetMetricData", {
            "MetricDataQueries": [with_(metric_query, ReturnData="true")],
            "StartTime": 1, "EndTime": 2}),
         "GetMetricData.MetricDataQueries[0].ReturnData: expected a boolean"),
        ("a missing required member", MODELS.check_request("logs", "GetQueryResults", {}),
         "GetQueryResults.queryId: required member missing"),
        ("a missing nested required member", MODELS.check_request(
            "cloudwatch", "GetMetricData",
            {"MetricDataQueries": [bad_metric], "StartTime": 1, "EndTime": 2}),
         "GetMetricData.MetricDataQueries[0].MetricStat.Metric.Dimensions[0].Value: required "
         "member missing"),
        ("a number above its maximum", MODELS.check_request(
            "cloudwatch", "DescribeAlarms", {"MaxRecords": 101}),
         "DescribeAlarms.MaxRecords: 101 is above the maximum 100"),
        ("a number below its minimum", MODELS.check_request(
            "logs", "FilterLogEvents", {"logGroupName": GROUP, "limit": 0}),
         "FilterLogEvents.limit: 0 is below the minimum 1"),
        ("a long past 64 bits", MODELS.check_request(
            "logs", "FilterLogEvents", {"logGroupName": GROUP, "startTime": 2 ** 63}),
         "does not fit a long"),
        ("an enum violation", MODELS.check_request(
            "cloudwatch", "DescribeAlarmHistory", {"HistoryItemType": "StateChange"}),
         "DescribeAlarmHistory.HistoryItemType: 'StateChange' is not one of "
         "ConfigurationUpdate, StateUpdate, Action"),
        ("a string too long", MODELS.check_request(
            "cloudwatch", "DescribeAlarms", {"AlarmNames": ["x" * 256]}),
         "DescribeAlarms.AlarmNames[0]: length 256 is above the maximum 255"),
        ("a list too short", MODELS.check_request(
            "logs", "FilterLogEvents", {"logGroupName": GROUP, "logStreamNames": []}),
         "FilterLogEvents.logStreamNames: length 0 is below the minimum 1"),
        ("a pattern (an ARN where a name goes)", MODELS.check_request(
            "logs", "FilterLogEvents", {"logGroupName": GROUP_ARN}),
         "does not match the pattern [\\.\\-_/#A-Za-z0-9]+ (LogGroupName)"),
        ("a timestamp as text", MODELS.check_request("cloudwatch", "GetMetricData", {
            "MetricDataQueries": [metric_query], "StartTime": "2024-01-01T00:00:00Z",
            "EndTime": 2}),
         "GetMetricData.StartTime: expected a timestamp"),
        ("a null", MODELS.check_request("logs", "StartQuery", with_(start_query, limit=None)),
         "StartQuery.limit: null"),
        ("the model's words: neither name nor identifier", MODELS.check_request(
            "logs", "FilterLogEvents", {"startTime": 1700000000000}),
         "FilterLogEvents: exactly one of logGroupName, logGroupIdentifier must be given"),
        ("the model's words: two ways to name groups", MODELS.check_request(
            "logs", "StartQuery", with_(start_query, logGroupName=GROUP)),
         "StartQuery: exactly one of logGroupName, logGroupNames, logGroupIdentifiers"),
        ("an answer's unknown member", MODELS.check_answer(
            "logs", "GetQueryResults", {"status": "Complete", "queryLanguage": "CWLI"}),
         "GetQueryResults answer.queryLanguage: no such member"),
        ("an answer's enum", MODELS.check_answer("logs", "GetQueryResults", {"status": "Done"}),
         "GetQueryResults answer.status: 'Done' is not one of"),
        ("an answer's double as text", MODELS.check_answer(
            "logs", "GetQueryResults", {"statistics": {"recordsMatched": "1"}}),
         "GetQueryResults answer.statistics.recordsMatched: expected a double"),
        ("an answer's timestamp as text", MODELS.check_answer(
            "cloudwatch", "DescribeAlarmHistory",
            {"AlarmHistoryItems": [{"Timestamp": "2024-01-01T00:00:00Z"}]}),
         "DescribeAlarmHistory answer.AlarmHistoryItems[0].Timestamp: expected a timestamp"),
        ("an unknown error code", MODELS.check_json_error(
            "logs", "StartQuery", 400, {"__type": "QueryBrokenException", "message": "m"}),
         "StartQuery error: QueryBrokenException is neither an error of StartQuery"),
        ("a modeled error's status", MODELS.check_json_error(
            "cloudwatch", "DescribeAlarms", 404, {"__type": "InvalidNextToken", "message": "m"}),
         "InvalidNextToken is answered with HTTP 400 in the model, not 404"),
        ("an error without __type", MODELS.check_json_error(
            "logs", "StartQuery", 400, {"message": "m"}), "StartQuery error: no __type"),
        ("an error's unknown member", MODELS.check_json_error(
            "logs", "StartQuery", 400, {"__type": "ThrottlingException", "retryAfter": 1}),
         "members retryAfter beyond __type and message"),
        ("a query form's number out of range",
         query([p if p[0] != "DurationSeconds" else ("DurationSeconds", "60") for p in form]),
         "AssumeRole.DurationSeconds: 60 is below the minimum 900"),
        ("a query form's unknown parameter", query(form + [("SessionName", "x")]),
         "AssumeRole.SessionName: no such member"),
        ("a query form's list with a gap", query(form + [("Tags.member.3.Key", "k"),
                                                        ("Tags.member.3.Value", "v")]),
         "AssumeRole.Tags.member: the items must be numbered 1, 2, ... without a gap"),
        ("a query form's missing required parameter",
         query([p for p in form if p[0] != "RoleSessionName"]),
         "AssumeRole.RoleSessionName: required member missing"),
        ("a query form's Version", query([("Version", "2012-01-01") if p[0] == "Version" else p
                                          for p in form]),
         "Version must be the model's apiVersion 2011-06-15"),
        ("a query form's Action", query([("Action", "AssumeRoot") if p[0] == "Action" else p
                                         for p in form]),
         "Action 'AssumeRoot' is no operation of the sts model"),
        ("an XML answer's missing member", MODELS.check_query_answer(
            "sts", "AssumeRole", 200,
            credentials.replace("<SessionToken>t</SessionToken>", "")),
         "AssumeRole answer.Credentials.SessionToken: required member missing"),
        ("an XML answer's timestamp", MODELS.check_query_answer(
            "sts", "AssumeRole", 200, credentials.replace("2030-01-01T00:00:00Z", "1893456000")),
         "AssumeRole answer.Credentials.Expiration: expected an ISO 8601 timestamp"),
        ("an XML answer's unknown element", MODELS.check_query_answer(
            "sts", "AssumeRole", 200, credentials.replace("<SessionToken>", "<Token>").replace(
                "</SessionToken>", "</Token>")),
         "AssumeRole answer.Credentials.Token: no such member"),
        ("an XML answer's root", MODELS.check_query_answer(
            "sts", "AssumeRoleWithWebIdentity", 200, credentials),
         "the root element is <AssumeRoleResponse>, not <AssumeRoleWithWebIdentityResponse>"),
        ("an STS error's status", MODELS.check_query_answer(
            "sts", "AssumeRoleWithWebIdentity", 403, token_error),
         "InvalidIdentityToken is answered with HTTP 400 in the model, not 403"),
    ]
    for what, problems, wanted in invalid:
        expect(any(wanted in p for p in problems),
               "the validator reports %s (%r) among %s" % (what, wanted, problems))


# ---- the server -----------------------------------------------------------------------------

class Server:
    def __init__(self, scenario, directory, script=None):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        scenario = dict(scenario, web_identity_token=WEB_TOKEN, container_token=CONTAINER_TOKEN)
        with open(os.path.join(directory, "scenario.json"), "w") as f:
            json.dump(scenario, f)
        port_file = os.path.join(directory, "port")
        self.log_file = open(os.path.join(directory, "server.log"), "w")
        self.process = subprocess.Popen(
            [sys.executable, "-B", script or os.path.join(SOURCE, "tests", "fixtures",
                                                          "aws_contract_server.py"),
             "--scenario", os.path.join(directory, "scenario.json"), "--port-file", port_file,
             "--region", "us-east-1", "--credentials", KEY + ":" + SECRET],
            stdout=self.log_file, stderr=subprocess.STDOUT)
        for _ in range(200):
            if os.path.exists(port_file) or self.process.poll() is not None:
                break
            time.sleep(0.05)
        if not os.path.exists(port_file):
            self.stop()
            with open(os.path.join(directory, "server.log")) as f:
                raise SystemExit("the AWS contract server did not start:\n" + f.read())
        with open(port_file) as f:
            self.url = "http://127.0.0.1:" + f.read().strip()

    def control(self, what):
        with urllib.request.urlopen(self.url + "/_control/" + what, timeout=10) as r:
            return json.load(r)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log_file.close()


def post(url, body, headers):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def botocore_signed(server, service, signing_name, operation, document):
    """POSTs `document` to `operation` as botocore serializes and signs it."""
    op = WIRE[service].operation_model(operation)
    serialized = botocore.serialize.create_serializer("json", include_validation=False) \
        .serialize_to_request(document, op)
    request = botocore.awsrequest.AWSRequest(method="POST", url=server.url + "/",
                                             data=serialized["body"],
                                             headers=serialized["headers"])
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(KEY, SECRET), signing_name,
                            "us-east-1").add_auth(request)
    prepared = request.prepare()
    return post(prepared.url, prepared.body, dict(prepared.headers))


def server_checks(directory, at):
    """The server refuses what the models refuse, takes what botocore sends, and reports its own
    answers when they drift from the models."""
    server = Server(dict(scenario(at), alarms=[{
        "AlarmName": "drifted", "type": "MetricAlarm", "StateValue": "FIRING",
        "StateTransitionedTimestamp": at}]), directory)
    try:
        start = {"startTime": at - 60, "endTime": at + 60, "queryString": KILLS}
        status, body = botocore_signed(server, "logs", "logs", "StartQuery",
                                       dict(start, logGroupIdentifiers=[GROUP_ARN]))
        expect(status == 200 and "queryId" in json.loads(body),
               "the server takes a StartQuery botocore signed, with logGroupIdentifiers: %d %s"
               % (status, body[:300]))
        status, body = botocore_signed(server, "logs", "logs", "StartQuery",
                                       dict(start, logGroupNames=[GROUP]))
        expect(status == 200, "the server takes StartQuery with logGroupNames: %d %s" % (
            status, body[:300]))
        expect(server.control("violations") == [], "valid requests are no violations: %s" %
               server.control("violations"))

        status, body = botocore_signed(server, "cloudwatch", "monitoring", "DescribeAlarms",
                                       {"MaxRecords": 1000})
        answer = json.loads(body)
        expect(status == 400 and answer.get("__type") == "ContractViolation" and
               "DescribeAlarms.MaxRecords: 1000 is above the maximum 100" in answer["message"],
               "the server refuses MaxRecords 1000 naming it: %d %s" % (status, body[:300]))
        # The serializer refuses members its model lacks, so this one is sent as firedrill once
        # did: signed here, serialized by hand.
        document = json.dumps(dict(start, logGroupIdentifier=GROUP_ARN)).encode()
        request = botocore.awsrequest.AWSRequest(
            method="POST", url=server.url + "/", data=document,
            headers={"X-Amz-Target": "Logs_20140328.StartQuery",
                     "Content-Type": "application/x-amz-json-1.1"})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(KEY, SECRET), "logs",
                                "us-east-1").add_auth(request)
        prepared = request.prepare()
        status, body = post(prepared.url, prepared.body, dict(prepared.headers))
        answer = json.loads(body)
        expect(status == 400 and "StartQuery.logGroupIdentifier: no such member" in
               answer.get("message", ""),
               "the server refuses StartQuery.logGroupIdentifier naming it: %d %s" % (
                   status, body[:300]))

        status, body = botocore_signed(server, "cloudwatch", "monitoring", "DescribeAlarms",
                                       {"AlarmNames": ["drifted"]})
        violations = server.control("violations")
        expect(len(violations) == 3, "three violations are recorded: %s" % violations)
        expect(any(v.get("side") == "answer" and "StateValue: 'FIRING' is not one of" in
                   v["message"] for v in violations),
               "the server records its own answer with StateValue FIRING as a violation: %s" %
               violations)
    finally:
        server.stop()


# ---- 3. firedrill's calls -------------------------------------------------------------------

def scenario(at):
    """What the checks find, stamped `at` (epoch seconds, a moment after the drill starts)."""
    ms = at * 1000

    def alarm(name, kind="MetricAlarm"):
        return {"AlarmName": name, "type": kind, "StateValue": "ALARM",
                "StateReason": "Threshold Crossed: 1 datapoint [2.0] was greater than 0.0",
                "StateTransitionedTimestamp": at}

    def transition(name):
        return {"AlarmName": name, "Timestamp": at + 0.25, "old": "OK", "new": "ALARM",
                "reason": "Threshold Crossed: restarts went OK -> ALARM"}

    point = (at // 5 + 1) * 5
    return {
        "page_size": 1, "empty_pages": 1,
        "alarms": [alarm("checkout-restarts"), alarm("checkout-any", "CompositeAlarm"),
                   alarm("other")],
        "history": [transition("checkout-restarts"), transition("checkout-any"),
                    transition("other")],
        "metrics": [{"Namespace": "ContainerInsights",
                     "MetricName": "pod_number_of_container_restarts", "Dimensions": DIMENSIONS,
                     "Stat": "Maximum", "Period": 5, "points": [[point - 5, 0.0], [point, 2.0]]}],
        "log_groups": {GROUP: [
            {"timestamp": ms - 60000, "logStreamName": "checkout-1", "message": "OOMKilled old"},
            {"timestamp": ms, "logStreamName": "checkout-1", "message": "OOMKilled: limit"},
            {"timestamp": ms + 100, "logStreamName": "payments-1", "message": "GET / 200"},
            {"timestamp": ms + 200, "logStreamName": "checkout-2", "message": "OOMKilled again"},
        ]},
        "insights": [{"query": KILLS, "group": GROUP, "running_polls": 1,
                      "rows": [{"at": at, "fields": {"kills": "7"}}]},
                     {"query": SLOW, "running_polls": 100000, "rows": []}],
    }


def drill(name, url, checks, eventually="30s"):
    # JSON is YAML: the drill needs no YAML writer.
    return {"apiVersion": "firedrill/v1", "kind": "Drill", "metadata": {"name": name},
            "integrations": {"aws": {"region": "us-east-1", "endpoints": {
                "monitoring": url, "logs": url, "sts": url}}},
            "steps": [{"name": "the AWS checks", "validate": {
                "eventually": eventually, "interval": "1s", "checks": checks}}]}


def run_firedrill(directory, document, env):
    path = os.path.join(directory, "drill.yaml")
    with open(path, "w") as f:
        json.dump(document, f, indent=1)
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update({"AWS_CONFIG_FILE": os.path.join(directory, "aws-config"),
                 "AWS_SHARED_CREDENTIALS_FILE": os.path.join(directory, "aws-credentials"),
                 "AWS_EC2_METADATA_DISABLED": "true"})
    base.update(env)
    out = os.path.join(directory, "out")
    r = subprocess.run([FIREDRILL, "run", path, "--out-dir", out, "-q"], env=base,
                       capture_output=True, text=True, timeout=240)
    return r.returncode, r.stdout + r.stderr + check_verdicts(out)


def check_verdicts(out):
    """Each check's verdict and message, from the run result in `out`."""
    lines = []
    for folder, _, names in os.walk(out):
        for name in names:
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(folder, name)) as f:
                    result = json.load(f)
            except ValueError:
                continue
            if isinstance(result, dict) and str(result.get("schema", "")).startswith(
                    "firedrill/run-result/"):
                lines += ["  %s: %s" % (c.get("verdict"), c.get("message"))
                          for c in result.get("checks", [])]
    return "\n".join(lines)


PASSING_CHECKS = [
    {"cloudwatch.alarm": {"name": "checkout-restarts"}},
    {"cloudwatch.alarm": {"prefix": "checkout-"}},
    {"cloudwatch.metric": {"namespace": "ContainerInsights",
                           "metric": "pod_number_of_container_restarts",
                           "dimensions": DIMENSIONS, "statistic": "Maximum", "period": "5s",
                           "value": "> 0"}},
    {"logs.cloudwatch": {"group": GROUP, "pattern": "OOMKilled", "streamPrefix": "checkout-",
                         "count": 2}},
    {"logs.cloudwatch": {"group": GROUP_ARN, "pattern": "OOMKilled"}},
    {"logs.cloudwatch": {"group": GROUP, "query": KILLS, "field": "kills", "value": ">= 5"}},
    {"logs.cloudwatch": {"group": GROUP_ARN, "query": KILLS}},
]


def runs(url, directory):
    """(name, drill, environment, scenario faults, the exit codes it may end with)."""
    config = ("[profile drill]\nrole_arn = arn:aws:iam::123456789012:role/firedrill\n"
              "source_profile = base\nrole_session_name = firedrill-contract\n"
              "external_id = contract-external-id\nduration_seconds = 900\n")
    credentials = "[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (KEY, SECRET)
    with open(os.path.join(directory, "web-token"), "w") as f:
        f.write(WEB_TOKEN)
    with open(os.path.join(directory, "wrong-web-token"), "w") as f:
        f.write("not-the-token")
    return [
        ("container credentials through throttling, 5xx and an expired token",
         drill("aws-models-container", url, PASSING_CHECKS),
         {"AWS_CONTAINER_CREDENTIALS_FULL_URI": url + "/container/credentials",
          "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN},
         {"DescribeAlarms": ["throttle"], "DescribeAlarmHistory": ["429"],
          "GetMetricData": ["503"], "FilterLogEvents": ["expired", "429"],
          "StartQuery": ["throttle"], "GetQueryResults": ["503"]}, (0,), None),
        ("a profile's role through STS AssumeRole",
         drill("aws-models-assume-role", url, PASSING_CHECKS[:1] + PASSING_CHECKS[-1:]),
         {"AWS_PROFILE": "drill"}, {}, (0,), (config, credentials)),
        ("web identity through STS AssumeRoleWithWebIdentity",
         drill("aws-models-web-identity", url, PASSING_CHECKS[2:4]),
         {"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa-firedrill",
          "AWS_WEB_IDENTITY_TOKEN_FILE": os.path.join(directory, "web-token"),
          "AWS_ROLE_SESSION_NAME": "firedrill-irsa"}, {}, (0,), None),
        ("refusals, missing groups, unknown and endless queries",
         drill("aws-models-errors", url, [
             {"cloudwatch.alarm": {"name": "checkout-restarts"}},
             {"logs.cloudwatch": {"group": "/aws/missing", "pattern": "x"}},
             {"logs.cloudwatch": {"group": GROUP, "query": "stats count(*) as unknown"}},
             {"logs.cloudwatch": {"group": GROUP, "query": SLOW, "timeout": "1s"}},
             {"logs.cloudwatch": {"group": GROUP, "pattern": "OOMKilled"}},
         ], eventually="2s"),
         {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET},
         {"DescribeAlarms": ["denied"], "FilterLogEvents": ["malformed_shape"]}, (1, 3), None),
        ("a refused web identity token",
         drill("aws-models-refused-token", url, PASSING_CHECKS[:1], eventually="1s"),
         {"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa-firedrill",
          "AWS_WEB_IDENTITY_TOKEN_FILE": os.path.join(directory, "wrong-web-token")},
         {}, (1, 3), None),
    ]


def known_codes(service, operation):
    return (set(MODELS.error_shapes(service, operation)) | set(botocore_shapes.COMMON_ERRORS) |
            botocore_shapes.RETRIED_ERRORS)


def dropped(original, parsed, path):
    """The members of `original` botocore's parser did not read: members its model lacks."""
    if isinstance(original, dict) and isinstance(parsed, dict):
        out = []
        for name, value in original.items():
            if name not in parsed:
                out.append("%s.%s" % (path, name))
            else:
                out.extend(dropped(value, parsed[name], "%s.%s" % (path, name)))
        return out
    if isinstance(original, list) and isinstance(parsed, list):
        if len(original) != len(parsed):
            return ["%s: %d items read of %d" % (path, len(parsed), len(original))]
        return [p for i, (a, b) in enumerate(zip(original, parsed))
                for p in dropped(a, b, "%s[%d]" % (path, i))]
    return []


def param_problems(value, shape, service):
    """botocore's own validation of parameters, less the missing members a rule in the model's
    words stands for (botocore_shapes.DOCUMENTED, which botocore_shapes checked)."""
    report = botocore.validate.ParamValidator().validate(value, shape)
    alternatives = {m for (s, _), rules in botocore_shapes.DOCUMENTED.items() if s == service
                    for r in rules if r.kind == "one_of" for m in r.members}
    errors = [e for e in report._errors
              if not (e[0] == "missing required field" and
                      e[2].get("required_name") in alternatives)]
    kept = botocore.validate.ValidationErrors()
    kept._errors = errors
    return kept.generate_report()


# Which model an operation of the log is of, for a log that does not say.
SERVICE_OF = dict({op: name for name in ("cloudwatch", "logs")
                   for op in MODELS.services[name].operation_names}, sts="sts")


def check_json_call(entry, seen):
    service, operation, status = SERVICE_OF[entry["operation"]], entry["operation"], entry[
        "status"]
    where = "%s %s (HTTP %s)" % (service, operation, status)
    body, answer = entry.get("body"), entry.get("answer")
    if body is None or "answer" not in entry:
        expect(False, "%s: the server logged no request body or no answer" % where)
        return
    op, wire_op = MODELS.operation(service, operation), WIRE[service].operation_model(operation)
    problems = MODELS.check_request(service, operation, body)
    expect(problems == [], "%s: firedrill's request breaks the model: %s" % (where, problems))
    report = param_problems(body, op.input_shape, service)
    expect(not report, "%s: botocore's validator refuses firedrill's request: %s" % (where,
                                                                                     report))
    serialized = botocore.serialize.create_serializer("json", include_validation=False) \
        .serialize_to_request(body, wire_op)
    expect(json.loads(serialized["body"]) == body,
           "%s: botocore serializes firedrill's parameters otherwise: %s, not %s" % (
               where, serialized["body"], body))
    expect(serialized["headers"]["X-Amz-Target"] == entry.get("target") and
           serialized["headers"]["Content-Type"] == entry.get("content_type"),
           "%s: botocore sends X-Amz-Target %s and Content-Type %s, firedrill %s and %s" % (
               where, serialized["headers"]["X-Amz-Target"],
               serialized["headers"]["Content-Type"], entry.get("target"),
               entry.get("content_type")))

    if entry.get("fault") in ("malformed", "malformed_shape"):
        if entry["fault"] == "malformed_shape":
            seen.add((operation, "malformed_shape"))
            expect(MODELS.check_answer(service, operation, json.loads(answer)) != [],
                   "%s: the deliberately malformed answer is refused by the model" % where)
        return
    parser = botocore.parsers.create_parser("json")
    response = {"body": json.dumps(answer).encode(), "status_code": status,
                "headers": entry.get("headers", {})}
    if status == 200:
        seen.add((operation, "ok"))
        problems = MODELS.check_answer(service, operation, answer)
        expect(problems == [], "%s: the server's answer breaks the model: %s" % (where, problems))
        try:
            parsed = parser.parse(response, wire_op.output_shape)
        except Exception as e:  # any failure of botocore to read it is the finding
            expect(False, "%s: botocore cannot parse the answer: %r" % (where, e))
            return
        lost = dropped(answer, parsed, operation)
        expect(lost == [], "%s: botocore's parser does not know %s" % (where, lost))
        if operation == "StartQuery":
            seen.add(("StartQuery", "by " + next(k for k in ("logGroupName", "logGroupNames",
                                                             "logGroupIdentifiers") if k in body)))
        if operation == "FilterLogEvents":
            seen.add(("FilterLogEvents", "by " + next(k for k in ("logGroupName",
                                                                  "logGroupIdentifier")
                                                      if k in body)))
        return
    problems = MODELS.check_json_error(service, operation, status, answer, entry.get("headers"))
    expect(problems == [], "%s: the server's error breaks the model: %s" % (where, problems))
    code = botocore.parsers.create_parser("json").parse(response, wire_op.output_shape)[
        "Error"]["Code"]
    seen.add((operation, code))
    expect(code in known_codes(service, operation),
           "%s: botocore reads the error code %r, which neither the model nor the common errors "
           "know" % (where, code))


def check_sts_call(entry, seen):
    status, answer = entry["status"], entry.get("answer")
    form = [tuple(p) for p in entry.get("form") or []]
    action, value, problems = MODELS.decode_query_request("sts", form)
    where = "sts %s (HTTP %s)" % (action, status)
    expect(problems == [], "%s: firedrill's form breaks the model: %s" % (where, problems))
    if value is None or answer is None:
        expect(False, "%s: the server logged no form or no answer" % where)
        return
    op = MODELS.operation("sts", action)
    report = param_problems(value, op.input_shape, "sts")
    expect(not report, "%s: botocore's validator refuses firedrill's form: %s" % (where, report))
    serialized = botocore.serialize.create_serializer("query", include_validation=False) \
        .serialize_to_request(value, op)["body"]
    expect({k: str(v) for k, v in serialized.items()} == dict(form),
           "%s: botocore serializes firedrill's parameters otherwise: %s, not %s" % (
               where, serialized, dict(form)))
    problems = MODELS.check_query_answer("sts", action, status, answer)
    expect(problems == [], "%s: the server's answer breaks the model: %s" % (where, problems))
    parsed = botocore.parsers.create_parser("query").parse(
        {"body": answer.encode(), "status_code": status, "headers": {}}, op.output_shape)
    if status == 200:
        seen.add((action, "ok"))
        credentials = parsed.get("Credentials", {})
        expect(set(credentials) == {"AccessKeyId", "SecretAccessKey", "SessionToken",
                                    "Expiration"} and
               isinstance(credentials["Expiration"], datetime.datetime),
               "%s: botocore reads no whole Credentials from the answer: %s" % (where, parsed))
    else:
        code = parsed.get("Error", {}).get("Code")
        seen.add((action, code))
        expect(code in known_codes("sts", action),
               "%s: botocore reads the error code %r, which neither the model nor the common "
               "errors know" % (where, code))


def firedrill_checks(root):
    seen = set()
    for i, (what, document, env, faults, codes, files) in enumerate(runs("URL", root)):
        directory = os.path.join(root, "run-%d" % i)
        os.makedirs(directory)
        at = int(time.time()) + 3  # just after the drill starts, and soon
        server = Server(dict(scenario(at), faults=faults), os.path.join(directory, "server"))
        try:
            document = json.loads(json.dumps(document).replace("\"URL", "\"" + server.url))
            env = {k: v.replace("URL", server.url) for k, v in env.items()}
            if files:
                for name, text in zip(("aws-config", "aws-credentials"), files):
                    with open(os.path.join(directory, name), "w") as f:
                        f.write(text)
            code, output = run_firedrill(directory, document, env)
            expect(code in codes, "firedrill run (%s) exits %d, not %s:\n%s" % (
                what, code, " or ".join(map(str, codes)), output[-3000:]))
            violations = server.control("violations")
            expect(violations == [], "firedrill run (%s): contract violations: %s" % (
                what, json.dumps(violations, indent=1)))
            log = server.control("log")
        finally:
            server.stop()
        print("%s: %d calls" % (what, len(log)), flush=True)
        for entry in log:
            service = entry.get("service") or SERVICE_OF.get(entry["operation"])
            if service in ("cloudwatch", "logs", "sts"):
                try:
                    (check_sts_call if service == "sts" else check_json_call)(entry, seen)
                except Exception as e:  # botocore refusing what it is given is a finding too
                    expect(False, "%s %s: botocore fails on the call: %r" % (
                        service, entry["operation"], e))
            elif entry["operation"] not in ("container", "imds token", "imds"):
                expect(False, "a call to no model: %s" % entry)
    wanted = {
        ("DescribeAlarms", "ok"), ("DescribeAlarmHistory", "ok"), ("GetMetricData", "ok"),
        ("FilterLogEvents", "ok"), ("StartQuery", "ok"), ("GetQueryResults", "ok"),
        ("StopQuery", "ok"), ("AssumeRole", "ok"), ("AssumeRoleWithWebIdentity", "ok"),
        ("StartQuery", "by logGroupName"), ("StartQuery", "by logGroupIdentifiers"),
        ("FilterLogEvents", "by logGroupName"), ("FilterLogEvents", "by logGroupIdentifier"),
        ("DescribeAlarms", "Throttling"), ("DescribeAlarmHistory", "TooManyRequestsException"),
        ("GetMetricData", "ServiceUnavailable"), ("FilterLogEvents", "ExpiredTokenException"),
        ("StartQuery", "ThrottlingException"), ("GetQueryResults", "ServiceUnavailableException"),
        ("DescribeAlarms", "AccessDeniedException"), ("FilterLogEvents",
                                                      "ResourceNotFoundException"),
        ("StartQuery", "MalformedQueryException"), ("FilterLogEvents", "malformed_shape"),
        ("AssumeRoleWithWebIdentity", "InvalidIdentityToken"),
    }
    expect(wanted <= seen, "firedrill's runs did not cover %s" % sorted(wanted - seen))


def main():
    with tempfile.TemporaryDirectory(prefix="aws-botocore-models-") as root:
        self_checks()
        server_checks(os.path.join(root, "server-checks"), int(time.time()))
        firedrill_checks(root)
    print("%d passed, %d failed" % (passed, len(failed)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
