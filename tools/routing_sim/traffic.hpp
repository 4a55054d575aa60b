// A generated contact-centre day: a staffed roster with shifts, and arrivals following a
// two-peak daily curve across tiers, priorities, channels and skills.
#pragma once

#include "day.hpp"

namespace routing_sim {

struct TrafficShape {
  int agents = 40;
  int skills = 6;
  double peak_arrivals_per_hour = 160;  // at the busiest hour; the curve scales the rest
  double hours = 24;
  ContactTimes times;  // handle times and patience are exponential around these means
  unsigned seed = 1;
};

// Arrivals per hour at local hour h, relative to the peak (peaks at 10:00 and 15:00).
double daily_curve(double hour);

Day generate_day(const TrafficShape& shape, UnixMs day_start);

}  // namespace routing_sim
