#include "fakes/fake_model_lists.h"

#include <nlohmann/json.hpp>

namespace llmscope::testing {

void AddModelListRoutes(httplib::Server& server) {
  server.Get("/api/tags", [](const httplib::Request&, httplib::Response& res) {
    nlohmann::json models = nlohmann::json::array();
    for (const char* m : kFakeModels) models.push_back({{"name", m}, {"size", 1000}});
    res.set_content(nlohmann::json{{"models", models}}.dump(), "application/json");
  });
  server.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
    nlohmann::json data = nlohmann::json::array();
    for (const char* m : kFakeModels) data.push_back({{"id", m}, {"object", "model"}});
    res.set_content(nlohmann::json{{"object", "list"}, {"data", data}}.dump(), "application/json");
  });
}

}  // namespace llmscope::testing
