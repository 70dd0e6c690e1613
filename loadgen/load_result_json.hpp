#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

#include "loadgen/load_stats.hpp"

namespace firedrill::loadgen {

// The versioned document of docs/load-result.md: what was intended, what happened, the time
// series and the serialised histograms, so results of many runs or instances merge exactly.
constexpr const char* kLoadResultSchema = "firedrill/load-result/v1";

nlohmann::json to_json(const LoadResult& result);
// The document's "intended" part alone: what the run was asked to do.
nlohmann::json intended_json(const LoadResult& result);
// Reads what to_json wrote: counters, histograms, series and the intended config, so that a
// saved result renders again exactly. The document keeps no request headers, bodies (only their
// sizes) or TLS options, so those come back empty. Throws std::invalid_argument on another schema
// or a malformed document.
LoadResult load_result_from_json(const nlohmann::json& doc);

const char* protocol_name(Protocol p);
// "uniform" or "poisson", and back (nullopt for another name).
const char* arrival_name(Arrival a);
std::optional<Arrival> arrival_from_name(std::string_view name);
// "exact" or "quantized", and back (nullopt for another name).
const char* pacer_name(PacerKind p);
std::optional<PacerKind> pacer_from_name(std::string_view name);

}  // namespace firedrill::loadgen
