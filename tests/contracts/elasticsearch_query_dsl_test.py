#!/usr/bin/env python3
"""The Elasticsearch contract server (tests/fixtures/elasticsearch_contract_server.py) held to
the Elasticsearch reference, which nobody here wrote: case by case, the behaviour a page of the
reference documents (its own examples as test vectors wherever it has them), asked of the server
over HTTP as firedrill's client asks it, on a free loopback port.

1. Analysis: the standard analyzer and tokenizer, the keyword analyzer and the lowercase filter
   on the documents' examples; word boundaries as UAX #29 draws them, cross-checked against ICU's
   word break iterator (libicuuc, another implementation of UAX #29) on random text.
2. Search: match, match_phrase, term, bool, range and query_string on text, keyword, numeric
   and date fields, counted with the count API.
3. The count API around it: multi-target syntax, missing indices, Content-Type, refusals in
   Elasticsearch's error shapes.

Pages cited as REF + name are https://www.elastic.co/guide/en/elasticsearch/reference/current/
<name>.html.

Usage: elasticsearch_query_dsl_test.py SOURCE_DIR FIREDRILL_BINARY (run with /usr/bin/python3)
"""

import ctypes
import ctypes.util
import json
import os
import random
import subprocess
import sys
import http.client
import tempfile
import time

SOURCE = sys.argv[1]
SERVER = os.environ.get("ES_CONTRACT_SERVER") or os.path.join(
    SOURCE, "tests", "fixtures", "elasticsearch_contract_server.py")
REF = "https://www.elastic.co/guide/en/elasticsearch/reference/current/"

passed, failed = 0, []


def expect(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failed.append(what)
        print("FAILED:", what, flush=True)


def equal(got, wanted, what):
    expect(got == wanted, "%s: got %r, wanted %r" % (what, got, wanted))


class Server:
    def __init__(self, scenario):
        self.dir = tempfile.TemporaryDirectory()
        path = os.path.join(self.dir.name, "scenario.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        port_file = os.path.join(self.dir.name, "port")
        self.log = open(os.path.join(self.dir.name, "server.log"), "w+")
        self.process = subprocess.Popen(
            [sys.executable, "-B", SERVER, "--scenario", path, "--port-file", port_file],
            stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            if os.path.exists(port_file) or self.process.poll() is not None:
                break
            time.sleep(0.05)
        if not os.path.exists(port_file):
            self.log.seek(0)
            sys.exit("the contract server did not start: " + self.log.read())
        with open(port_file) as f:
            self.port = int(f.read())

    def request(self, method, path, body=None, content_type="application/json"):
        """(status, JSON answer, headers); only the headers given are sent."""
        data = None if body is None else json.dumps(body).encode()
        headers = {} if content_type is None or data is None else {"Content-Type": content_type}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=data, headers=headers)
            answer = connection.getresponse()
            text = answer.read()
            try:
                document = json.loads(text)
            except ValueError:
                document = {"not JSON": text.decode(errors="replace")}
            return answer.status, document, dict(answer.getheaders())
        finally:
            connection.close()

    def count(self, target, query=None, **kw):
        status, body, _ = self.request("POST", "/%s/_count" % target,
                                       None if query is None else {"query": query}, **kw)
        return body.get("count") if status == 200 else (status, body)

    def analyze(self, body):
        status, answer, _ = self.request("POST", "/_analyze", body)
        if status != 200:
            return (status, answer)
        return [t["token"] for t in answer["tokens"]]

    def violations(self):
        return self.request("GET", "/_control/violations")[1]

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()
        self.dir.cleanup()


def qs(text, **params):
    return {"query_string": {"query": text, **params}}


# ---------------------------------------------------------------------------------------------
# 1. Analysis.

def analysis(server):
    sentence = "The 2 QUICK Brown-Foxes jumped over the lazy dog's bone."
    # REF analysis-standard-analyzer: "The above sentence would produce the following terms".
    equal(server.analyze({"analyzer": "standard", "text": sentence}),
          ["the", "2", "quick", "brown", "foxes", "jumped", "over", "the", "lazy", "dog's",
           "bone"], "standard analyzer, the page's example")
    # REF analysis-standard-tokenizer: the same sentence, unlowercased.
    equal(server.analyze({"tokenizer": "standard", "text": sentence}),
          ["The", "2", "QUICK", "Brown", "Foxes", "jumped", "over", "the", "lazy", "dog's",
           "bone"], "standard tokenizer, the page's example")
    # REF analysis-standard-tokenizer, "Example configuration": max_token_length 5 splits a
    # longer token at 5.
    equal(server.analyze({"tokenizer": {"type": "standard", "max_token_length": 5},
                          "text": sentence}),
          ["The", "2", "QUICK", "Brown", "Foxes", "jumpe", "d", "over", "the", "lazy", "dog's",
           "bone"], "standard tokenizer, max_token_length 5")
    # REF analysis-keyword-analyzer: the whole text as a single term.
    equal(server.analyze({"analyzer": "keyword", "text": sentence}), [sentence],
          "keyword analyzer, the page's example")
    # REF analysis-lowercase-tokenfilter: "THE Quick FoX JUMPs" -> [ the, quick, fox, jumps ].
    equal(server.analyze({"tokenizer": "standard", "filter": ["lowercase"],
                          "text": "THE Quick FoX JUMPs"}), ["the", "quick", "fox", "jumps"],
          "lowercase token filter, the page's example")
    # REF indices-analyze: each token with offsets, a type and a position.
    status, answer, _ = server.request("POST", "/_analyze",
                                       {"analyzer": "standard", "text": sentence})
    tokens = answer.get("tokens") or [{}] * 11
    equal(tokens[1], {"token": "2", "start_offset": 4, "end_offset": 5, "type": "<NUM>",
                      "position": 1}, "the analyze API's token")
    equal(tokens[9].get("start_offset"), sentence.index("dog's"), "offset of dog's")

    # UAX #29 (https://unicode.org/reports/tr29/), section 4.1.1, rules WB5-WB13b: letters and
    # digits stay together (WB8-WB10); MidNumLet (. ’) and Single_Quote between letters (WB6,
    # WB7) or digits (WB11, WB12), MidLetter (:) between letters and MidNum (,) between digits
    # stay inside a word; ExtendNumLet (_) joins (WB13a/b); everything else breaks (WB999).
    for text, tokens in [
            ("pod-7f9", ["pod", "7f9"]),
            ("10.0.0.1", ["10.0.0.1"]),
            ("it's", ["it's"]),
            ("OOMKilled", ["oomkilled"]),
            ("OOMKilled: container", ["oomkilled", "container"]),
            ("reason:OOMKilled", ["reason:oomkilled"]),
            ("kubernetes.pod_name", ["kubernetes.pod_name"]),
            ("v1.2.3 e.g. a.1 1.a", ["v1.2.3", "e.g", "a", "1", "1", "a"]),
            ("3,000.50 dogs' ’tis", ["3,000.50", "dogs", "tis"]),
            ("https://example.com/a_b?c=D", ["https", "example.com", "a_b", "c", "d"]),
            ("naïve café ΟΔΟΣ İ", ["naïve", "café", "οδοσ", "i"]),
    ]:
        equal(server.analyze({"analyzer": "standard", "text": text}), tokens,
              "standard analyzer on %r" % text)
    # Lucene's StandardTokenizer (the reference's standard tokenizer) keeps each Han ideograph
    # and each hiragana a token of its own, a katakana, hangul or Thai run one token, emoji
    # sequences one token each.
    equal(server.analyze({"tokenizer": "standard",
                          "text": "日本語のテキスト 한국어 ภาษาไทย 👩\u200d💻 🇫🇷"}),
          ["日", "本", "語", "の", "テキスト", "한국어", "ภาษาไทย", "👩\u200d💻", "🇫🇷"],
          "standard tokenizer on CJK, Thai and emoji")
    icu_cross_check(server)


def icu():
    """ICU's word break iterator through ctypes, or None."""
    name = ctypes.util.find_library("icuuc")
    if not name:
        return None
    lib = ctypes.CDLL(name)

    def function(base):
        for suffix in [""] + ["_%d" % v for v in range(99, 44, -1)]:
            if hasattr(lib, base + suffix):
                return getattr(lib, base + suffix)
        return None
    fns = [function(n) for n in ("ubrk_open", "ubrk_first", "ubrk_next", "ubrk_close")]
    if None in fns:
        return None
    open_, first, next_, close = fns
    open_.restype = ctypes.c_void_p
    open_.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int32,
                      ctypes.POINTER(ctypes.c_int)]
    for f in (first, next_):
        f.argtypes, f.restype = [ctypes.c_void_p], ctypes.c_int32
    close.argtypes = [ctypes.c_void_p]

    def segments(text):
        data = text.encode("utf-16-le")
        buffer = ctypes.create_string_buffer(data, len(data) + 2)
        error = ctypes.c_int(0)
        iterator = open_(1, b"en", buffer, len(data) // 2, ctypes.byref(error))  # UBRK_WORD
        if error.value > 0:
            raise RuntimeError("ubrk_open: error %d" % error.value)
        out, start = [], first(iterator)
        while True:
            end = next_(iterator)
            if end == -1:
                break
            out.append(data[2 * start:2 * end].decode("utf-16-le"))
            start = end
        close(iterator)
        return out
    return segments


def icu_cross_check(server):
    """On random strings of letters (Latin, Greek, Cyrillic, Arabic, Hebrew), digits (ASCII,
    Arabic-Indic, fullwidth stop) and the characters UAX #29's rules name (. , ; ' " ’ · _ ⁄,
    NNBSP, soft hyphen, a combining accent, spaces), each token is one of ICU's word segments that
    holds a letter or digit, and each such segment is a token. Left out: ICU's root rules tailor
    '@' and ':' (see its word.txt), and Lucene's grammar goes on after a Hebrew letter's
    apostrophe or quotation mark where UAX #29 breaks."""
    segments = icu()
    if segments is None:
        expect(False, "ICU (libicuuc, from libicu72, which libxml2 needs) is not installed: "
                      "the UAX #29 cross-check cannot run")
        return
    alphabet = list("abcXYZ019 .,;'\"_-/") + [
        "\u2019", "\u00b7", "\u05d0", "\u05d1", "\u0301", "\u00ad", "\u0627", "\u0628",
        "\u03b1", "\u0434", "\u00a0", "\u0661", "\uff0e", "\u202f", "\u2044", "\t", "\n"]
    hebrew = "\u05d0\u05d1"
    rnd = random.Random(29)
    texts = []
    while len(texts) < 300:
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 14)))
        if any(a in hebrew and b in "'\"" for a, b in zip(text, text[1:])):
            continue
        texts.append(text)
    status, answer, _ = server.request("POST", "/_analyze",
                                       {"tokenizer": "standard", "text": texts})
    if status != 200:
        expect(False, "analyze API on %d texts: %s" % (len(texts), answer))
        return
    ends = {}
    offset = 0
    for n, text in enumerate(texts):  # offsets go on across the values, one apart
        ends[n] = (offset, offset + len(text.encode("utf-16-le")) // 2)
        offset = ends[n][1] + 1
    by_text = {n: [] for n in range(len(texts))}
    for token in answer["tokens"]:
        n = next(k for k, (lo, hi) in ends.items() if lo <= token["start_offset"] <= hi)
        by_text[n].append(token["token"])
    wrong = 0
    for n, text in enumerate(texts):
        wanted = [s for s in segments(text)
                  if any(c.isalpha() or c.isdigit() for c in s)]
        if by_text[n] != wanted:
            wrong += 1
            if wrong <= 5:
                expect(False, "UAX #29 on %r: the server %r, ICU %r" % (text, by_text[n],
                                                                        wanted))
    expect(wrong == 0, "the standard tokenizer and ICU agree on %d random texts (%d differ)" % (
        len(texts), wrong))


# ---------------------------------------------------------------------------------------------
# 2. Search.

DAY = "2026-11-21"
FIRST_MS = 1795219200000  # 2026-11-21T00:00:00Z


def docs():
    at = lambda hh: "%sT%02d:00:00Z" % (DAY, hh)  # noqa: E731
    return {
        "logs-2026.11.21": [
            {"@timestamp": at(1), "message": "container OOMKilled",
             "kubernetes": {"pod_name": "checkout-7f9-abc", "labels": {"app": "checkout"}},
             "status": 137},
            {"@timestamp": at(2), "message": "OOMKilled",
             "kubernetes": {"pod_name": "payments-1", "labels": {"app": "payments"}}},
            {"@timestamp": at(3), "message": "Quick Brown Foxes!", "status": 200},
            {"@timestamp": at(4), "message": "The 2 QUICK Brown-Foxes jumped over the lazy "
                                             "dog's bone.", "status": 404},
            {"@timestamp": at(12), "message": "this is a test", "user.id": "kimchy"},
            {"@timestamp": at(23), "message": "reason:OOMKilled pod-7f9",
             "book": {"title": "quick guide", "date": "2026/11/21"}},
        ],
        "logs-2026.11.22": [
            {"@timestamp": "2026-11-22T00:00:00Z", "message": "capital of Hungary"},
            {"@timestamp": "2026-11-22T01:00:00Z", "message": "capital of France",
             "tags": ["news", "fox"]},
        ],
        "metrics-1": [{"@timestamp": 1700000000000, "message": "OOMKilled in metrics"}],
        # As firedrill's integration test has them: epoch milliseconds, flat dotted names.
        "firedrill-2026.11.21": [
            {"@timestamp": FIRST_MS + 1000, "kubernetes.app": "checkout",
             "message": "container OOMKilled"},
            {"@timestamp": FIRST_MS + 2000, "kubernetes.app": "payments", "message": "OOMKilled"},
            {"@timestamp": FIRST_MS + 3000, "kubernetes.app": "checkout",
             "message": "OOMKilled again"},
            {"@timestamp": FIRST_MS + 4000, "kubernetes.app": "checkout", "message": "GET / 200"},
            {"@timestamp": FIRST_MS + 5000, "kubernetes.app": "checkout",
             "message": "Back-off restarting failed container; reason:OOMKilled"},
        ],
        "firedrill-2026.11.22": [
            {"@timestamp": FIRST_MS + 86400000, "kubernetes.app": "checkout",
             "message": "OOMKilled"}],
    }


def search(server):
    logs = "logs-2026.11.21"
    # REF search-count, "Examples": {"user.id": "kimchy"} and a term query for kimchy count 1,
    # the answer {"count": 1, "_shards": {"total": 1, "successful": 1, "skipped": 0,
    # "failed": 0}}.
    status, body, _ = server.request("POST", "/%s/_count" % logs,
                                     {"query": {"term": {"user.id": "kimchy"}}})
    equal((status, body), (200, {"count": 1, "_shards": {"total": 1, "successful": 1,
                                                         "skipped": 0, "failed": 0}}),
          "the count API's example")
    # REF search-count: "The query is optional, and when not provided, it will use match_all".
    equal(server.count(logs), 6, "no query counts every document")

    # REF query-dsl-match-query: the provided text is analyzed before matching; with the
    # standard analyzer (REF analysis-standard-analyzer) OOMKilled is the one token oomkilled.
    equal(server.count(logs, {"match": {"message": "OOM"}}), 0, "match OOM finds no oomkilled")
    equal(server.count(logs, {"match": {"message": "OOMKilled"}}), 2, "match OOMKilled")
    equal(server.count(logs, {"match": {"message": "oomkilled"}}), 2, "match oomkilled")
    # REF query-dsl-match-query, operator: "OR" by default, "AND" needs every token.
    equal(server.count(logs, {"match": {"message": "quick dog"}}), 2, "match quick dog (OR)")
    equal(server.count(logs, {"match": {"message": {"query": "quick dog", "operator": "and"}}}),
          0, "match quick dog (AND): the document has the token dog's, not dog")
    equal(server.count(logs, {"match": {"message": {"query": "quick bone", "operator": "and"}}}),
          1, "match quick bone (AND)")
    # REF query-dsl-match-query, minimum_should_match.
    equal(server.count(logs, {"match": {"message": {"query": "quick dog bone",
                                                    "minimum_should_match": 2}}}), 1,
          "match with minimum_should_match 2")
    # REF query-dsl-term-query, "Avoid using the term query for text fields": Quick Brown
    # Foxes! is not a term of the text field; the match query finds it.
    equal(server.count(logs, {"term": {"message": "Quick Brown Foxes!"}}), 0,
          "term query on a text field (the page's example)")
    equal(server.count(logs, {"match": {"message": "Quick Brown Foxes!"}}), 2,
          "match query on the same text (both documents have quick)")
    equal(server.count(logs, {"match": {"message": {"query": "Quick Brown Foxes!",
                                                    "operator": "and"}}}), 2,
          "match query, every token")
    # REF query-dsl-match-query-phrase: the tokens in order, at consecutive positions.
    equal(server.count(logs, {"match_phrase": {"message": "this is a test"}}), 1,
          "match_phrase, the page's example")
    equal(server.count(logs, {"match_phrase": {"message": "is this a test"}}), 0,
          "match_phrase out of order")
    equal(server.count(logs, {"match_phrase": {"message": "brown foxes jumped"}}), 1,
          "match_phrase across the hyphen")
    # REF dynamic-field-mapping: a string is mapped text with a .keyword sub-field (REF
    # keyword: values are matched exactly, not analyzed).
    equal(server.count(logs, {"term": {"kubernetes.pod_name.keyword": "checkout-7f9-abc"}}), 1,
          "term on the keyword sub-field")
    equal(server.count(logs, {"term": {"kubernetes.pod_name.keyword": "checkout"}}), 0,
          "a keyword field holds the whole value only")
    equal(server.count(logs, {"match": {"kubernetes.pod_name.keyword": "Checkout-7f9-abc"}}), 0,
          "match on a keyword field is exact, case included")
    equal(server.count(logs, {"match": {"kubernetes.pod_name": "7f9"}}), 1,
          "the text field's tokens: checkout, 7f9, abc")
    # REF dynamic-field-mapping: an integer is mapped long.
    equal(server.count(logs, {"term": {"status": 200}}), 1, "term on a long field")
    equal(server.count(logs, {"range": {"status": {"gte": 137, "lt": 404}}}), 2,
          "range on a long field: gte includes, lt excludes")
    # REF query-dsl-exists-query.
    equal(server.count(logs, {"exists": {"field": "status"}}), 3, "exists")

    # REF query-dsl-bool-query: must, filter, must_not; should alone needs one match ("If the
    # bool query includes at least one should clause and no must or filter clauses, the
    # default value is 1. Otherwise, the default value is 0.").
    equal(server.count(logs, {"bool": {"must": {"match": {"message": "oomkilled"}},
                                       "must_not": {"match": {"message": "container"}}}}), 1,
          "bool must and must_not")
    equal(server.count(logs, {"bool": {"should": [{"match": {"message": "test"}},
                                                  {"match": {"message": "bone"}}]}}), 2,
          "bool should alone: at least one")
    equal(server.count(logs, {"bool": {"filter": {"match": {"message": "oomkilled"}},
                                       "should": {"match": {"message": "nothing"}}}}), 2,
          "bool filter with should: should is optional")
    equal(server.count(logs, {"bool": {"must_not": {"match": {"message": "oomkilled"}}}}), 4,
          "bool must_not alone: every other document")
    equal(server.count(logs, {"bool": {}}), 6, "an empty bool matches every document")

    # REF query-dsl-range-query on a date field (REF dynamic-field-mapping: a string passing
    # date detection is a date): gte and lte inclusive, format epoch_millis.
    start = 1795219200000  # 2026-11-21T00:00:00Z
    equal(server.count(logs, {"range": {"@timestamp": {"gte": start + 3600000,
                                                       "lte": start + 3 * 3600000,
                                                       "format": "epoch_millis"}}}), 3,
          "range gte/lte epoch_millis, both ends included")
    equal(server.count(logs, {"range": {"@timestamp": {"gt": start + 3600000,
                                                       "lt": start + 3 * 3600000,
                                                       "format": "epoch_millis"}}}), 1,
          "range gt/lt epoch_millis, both ends excluded")
    # REF query-dsl-range-query, "Missing date components": lte on a date without time rounds
    # up to 23:59:59.999, gt too (so it excludes the day).
    equal(server.count(logs, {"range": {"@timestamp": {"lte": DAY}}}), 6,
          "lte a day includes that whole day")
    equal(server.count("logs-*", {"range": {"@timestamp": {"gt": DAY}}}), 2,
          "gt a day excludes that whole day")

    query_string(server, logs)


def query_string(server, logs):
    # REF query-dsl-query-string-query: default_field defaults to index.query.default_field,
    # "*", every eligible field; each text part analyzed by the field's analyzer.
    equal(server.count(logs, qs("OOM")), 0, "query_string OOM")
    equal(server.count(logs, qs("OOMKilled")), 2, "query_string OOMKilled")
    equal(server.count(logs, qs("oomkilled")), 2, "query_string oomkilled")
    equal(server.count(logs, qs("reason\\:OOMKilled")), 1,
          "query_string reason\\:OOMKilled (one token)")
    # REF query-dsl-query-string-query, "Field names": status:active, title:(quick OR brown),
    # author:"John Smith", book.\*:(quick OR brown), _exists_:title.
    equal(server.count(logs, qs("kubernetes.labels.app:checkout")), 1, "field:term")
    equal(server.count(logs, qs("kubernetes.labels.app:checkout AND OOMKilled")), 1,
          "the example in firedrill's docs")
    equal(server.count(logs, qs("message:(test OR bone)")), 2, "field:(a OR b)")
    equal(server.count(logs, qs('message:"Brown Foxes"')), 2, "field:\"phrase\"")
    equal(server.count(logs, qs('message:"foxes brown"')), 0, "a phrase is in order")
    equal(server.count(logs, qs("book.\\*:(quick OR brown)")), 1, "book.\\*:(quick OR brown)")
    equal(server.count(logs, qs("_exists_:book.title")), 1, "_exists_:book.title")
    # "Wildcards": qu?ck bro*; "Only parts of the analysis chain that operate at the character
    # level are applied" (lowercasing).
    equal(server.count(logs, qs("message:qu?ck")), 2, "qu?ck")
    equal(server.count(logs, qs("message:OOM*")), 2, "OOM* lowercased to a prefix")
    equal(server.count(logs, qs("kubernetes.pod_name.keyword:checkout*")), 1,
          "a prefix on a keyword field")
    # "Ranges": count:[1 TO 5], age:>=10.
    equal(server.count(logs, qs("status:[137 TO 200]")), 2, "status:[137 TO 200]")
    equal(server.count(logs, qs("status:{137 TO 200]")), 1, "status:{137 TO 200]")
    equal(server.count(logs, qs("status:>=200")), 2, "status:>=200")
    # "Boolean operators": quick brown +fox -news; "By default, all terms are optional, as long
    # as one term matches"; AND, OR, NOT.
    equal(server.count(logs, qs("test bone")), 2, "foo bar: either")
    equal(server.count(logs, qs("quick +foxes -jumped")), 1, "quick +foxes -jumped")
    equal(server.count(logs, qs("NOT oomkilled")), 4, "NOT alone: every other document")
    equal(server.count(logs, qs("(quick OR test) AND NOT foxes")), 2,
          "grouping (this is a test; book.title quick guide)")
    # "the query capital of Hungary is translated to capital OR of OR Hungary, and with default
    # operator of AND, the same query is translated to capital AND of AND Hungary".
    equal(server.count("logs-2026.11.22", qs("capital of Hungary")), 2, "default operator OR")
    equal(server.count("logs-2026.11.22", qs("capital of Hungary", default_operator="AND")),
          1, "default operator AND")
    # Each part is analyzed as a whole: pod-7f9 is the tokens pod and 7f9, either (OR).
    equal(server.count(logs, qs("pod-7f9")), 2, "pod-7f9 analyzed to pod OR 7f9")
    # "Empty Query": "If the query string is empty or only contains whitespaces the query will
    # yield an empty result set."
    equal(server.count(logs, qs("   ")), 0, "an empty query string")
    # "the query is strict and returns an error if the query string includes any invalid
    # syntax": a failure of every shard.
    status, body, _ = server.request("POST", "/%s/_count" % logs, {"query": qs("foo AND")})
    equal(status, 400, "invalid query_string syntax: status")
    equal(body.get("error", {}).get("type"), "search_phase_execution_exception",
          "invalid query_string syntax: type")
    equal([c.get("type") for c in body.get("error", {}).get("root_cause", [])],
          ["query_shard_exception"], "invalid query_string syntax: root cause")
    expect("Failed to parse query [foo AND]" in json.dumps(body), "the failure names the query")


def firedrill_requests(server):
    """The body logs.elasticsearch sends (validators/logs_elasticsearch_check.cpp): a bool filter
    of the time range and the check's query_string."""
    start = FIRST_MS

    def count(target, text, content_type="application/json"):
        query = {"bool": {"filter": [
            {"range": {"@timestamp": {"gte": start, "lte": start + 2 * 86400000,
                                      "format": "epoch_millis"}}},
            {"query_string": {"query": text}}]}}
        return server.count(target, query, content_type=content_type)
    # The case (REF analysis-standard-analyzer, REF query-dsl-query-string-query).
    # Four documents hold the token oomkilled; reason:OOMKilled is one token of its own (UAX #29:
    # a colon between letters is MidLetter).
    equal(count("firedrill-*", "OOM"), 0, "firedrill's request: OOM")
    equal(count("firedrill-*", "OOMKilled"), 4, "firedrill's request: OOMKilled")
    equal(count("firedrill-*", "oomkilled"), 4, "firedrill's request: oomkilled")
    equal(count("firedrill-*", "kubernetes.app:checkout AND OOMKilled"), 3,
          "firedrill's request: its docs' example")
    equal(count("firedrill-*", "message:container"), 2, "firedrill's request: a field")
    equal(count("firedrill-2026.11.21,firedrill-2026.11.22", "OOMKilled"), 4,
          "firedrill's request: a comma-separated list")
    equal(count("firedrill-*", "OOMKilled", "application/json; charset=UTF-8"), 4,
          "firedrill's request with a charset")
    missing = count("firedrill-missing", "OOMKilled")
    equal(missing if isinstance(missing, int) else missing[0], 404,
          "firedrill's request to a missing index")


# ---------------------------------------------------------------------------------------------
# 3. The count API around the query.

def api(server):
    # REF multi-target syntax (api-conventions "Multi-target syntax"): comma-separated
    # lists, wildcards, -exclusions after a wildcard; aliases; _all.
    equal(server.count("logs-2026.11.21,logs-2026.11.22"), 8, "a comma-separated list")
    equal(server.count("logs-*"), 8, "a wildcard")
    equal(server.count("logs-*,metrics-*"), 9, "wildcards in a list")
    equal(server.count("logs-*,-logs-2026.11.22"), 6, "an exclusion")
    equal(server.count("logs"), 8, "an alias")
    equal(server.count("_all"), 15, "_all")
    status, body, _ = server.request("POST", "/_count", {"query": {"match_all": {}}})
    equal(body.get("count"), 15, "no target: every index")
    # REF search-count, allow_no_indices: "Defaults to true"; a wildcard matching nothing
    # counts 0; false makes it an error.
    equal(server.count("nothing-*"), 0, "a wildcard matching no index counts 0")
    status, body, _ = server.request("POST", "/nothing-*/_count?allow_no_indices=false")
    equal((status, body.get("error", {}).get("type")), (404, "index_not_found_exception"),
          "allow_no_indices=false")
    # A missing concrete index: 404 index_not_found_exception, in the error shape.
    status, body, _ = server.request("POST", "/logs-missing/_count",
                                     {"query": {"match_all": {}}})
    cause = {"type": "index_not_found_exception", "reason": "no such index [logs-missing]",
             "resource.type": "index_or_alias", "resource.id": "logs-missing",
             "index_uuid": "_na_", "index": "logs-missing"}
    equal((status, body), (404, {"error": {"root_cause": [cause], **cause}, "status": 404}),
          "a missing index")
    equal(server.count("logs-2026.11.21,logs-missing"), (404, body),
          "a missing index in a list")
    status, body, _ = server.request("POST", "/logs-2026.11.21,logs-missing/_count"
                                     "?ignore_unavailable=true")
    equal(body.get("count"), 6, "ignore_unavailable=true skips a missing index")

    # REF api-conventions, "Content-type requirements": the body's type must be given and
    # supported; "Elasticsearch only supports UTF-8-encoded JSON" (a charset is allowed).
    equal(server.count("logs-*", {"match_all": {}},
                       content_type="application/json; charset=UTF-8"), 8,
          "Content-Type application/json; charset=UTF-8")
    equal(server.count("logs-*", {"match_all": {}},
                       content_type="application/vnd.elasticsearch+json; compatible-with=8"), 8,
          "the versioned media type")
    status, body, _ = server.request("POST", "/logs-*/_count", {"query": {"match_all": {}}},
                                     content_type="text/plain")
    equal((status, body), (406, {"error": "Content-Type header [text/plain] is not supported",
                                 "status": 406}), "Content-Type text/plain")
    status, body, _ = server.request("POST", "/logs-*/_count", {"query": {"match_all": {}}},
                                     content_type=None)
    equal((status, body), (406, {"error": "Content-Type header is missing", "status": 406}),
          "no Content-Type")

    # Refusals in the error shape: REF query-dsl (an unknown query), each query's documented
    # parameters, and the count API's request body, which holds "query" only.
    status, body, _ = server.request("POST", "/logs-*/_count", {"query": {"foo": {}}})
    equal((status, body.get("error", {}).get("type"), body.get("error", {}).get("reason")),
          (400, "parsing_exception", "unknown query [foo]"), "an unknown query")
    status, body, _ = server.request("POST", "/logs-*/_count",
                                     {"query": {"match": {"message": {"query": "x",
                                                                      "foo": 1}}}})
    equal((status, body.get("error", {}).get("reason")),
          (400, "[match] query does not support [foo]"), "an unknown match parameter")
    status, body, _ = server.request("POST", "/logs-*/_count",
                                     {"query": {"match_all": {}}, "size": 0})
    equal((status, body.get("error", {}).get("reason")),
          (400, "request does not support [size]"), "a body key other than query")
    status, body, _ = server.request("POST", "/logs-*/_count?foo=1")
    equal((status, body.get("error", {}).get("type"), body.get("error", {}).get("reason")),
          (400, "illegal_argument_exception",
           "request [/logs-*/_count] contains unrecognized parameter: [foo]"),
          "an unrecognized URL parameter")
    # What the server does not implement is refused, not ignored.
    status, body, _ = server.request("POST", "/logs-*/_count",
                                     {"query": {"match": {"message": {"query": "x",
                                                                      "fuzziness": 1}}}})
    equal((status, body.get("error", {}).get("type")), (400, "parsing_exception"),
          "an unimplemented parameter")
    status, body, _ = server.request("POST", "/logs-*/_count", {"query": qs("quikc~")})
    expect(status == 400 and "not implemented" in json.dumps(body),
           "unimplemented query_string syntax is refused: %s %s" % (status, body))
    status, body, headers = server.request("PUT", "/logs-*/_count", {"query": {}})
    equal(status, 405, "PUT on _count")


def main():
    server = Server({"docs": docs(), "mappings": {"firedrill-*": {"@timestamp": "date"}},
                     "aliases": {"logs": ["logs-2026.11.21", "logs-2026.11.22"]}})
    try:
        for part in (analysis, search, firedrill_requests, api):
            try:
                part(server)
            except Exception as e:  # a broken answer fails the part, the other parts still run
                expect(False, "%s stopped: %r" % (part.__name__, e))
        # What Elasticsearch refuses as a malformed request, and what the server does not
        # implement, is recorded; a missing index or a query string the user got wrong is not.
        equal(server.violations(), [
            "Content-Type header [text/plain] is not supported",
            "Content-Type header is missing",
            "unknown query [foo]",
            "[match] query does not support [foo]",
            "request does not support [size]",
            "request [/logs-*/_count] contains unrecognized parameter: [foo]",
            "not implemented: [match] fuzziness",
            "not implemented: query_string fuzzy and proximity (~)",
            "Incorrect HTTP method for uri [/logs-*/_count] and method [PUT], allowed: "
            "[POST, GET]"], "the violations recorded")
    finally:
        server.stop()
    print("%d passed, %d failed" % (passed, len(failed)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
