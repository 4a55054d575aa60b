// The JSON the quality-review API answers with (docs/api.md "Quality review").
#pragma once

#include "qa/calibration.hpp"
#include "store/qa_records.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

nlohmann::json qa_sample_json(const store::QaSample& s);
nlohmann::json qa_scorecard_json(const store::QaScorecard& c);
nlohmann::json qa_review_json(const store::QaReview& r);
nlohmann::json calibration_json(const qa::CalibrationReport& report);

}  // namespace omnigate::api
