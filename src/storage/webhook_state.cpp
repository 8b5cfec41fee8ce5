#include "storage/webhook_store.hpp"

namespace todo::storage {

const char* delivery_state_name(DeliveryState state) {
  switch (state) {
    case DeliveryState::pending:
      return "pending";
    case DeliveryState::succeeded:
      return "succeeded";
    case DeliveryState::failed:
      return "failed";
    case DeliveryState::dead:
      return "dead";
  }
  return "failed";
}

std::optional<DeliveryState> parse_delivery_state(std::string_view name) {
  for (auto s : {DeliveryState::pending, DeliveryState::succeeded, DeliveryState::failed,
                 DeliveryState::dead})
    if (name == delivery_state_name(s)) return s;
  return std::nullopt;
}

}  // namespace todo::storage
