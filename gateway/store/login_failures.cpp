#include "store/account_records.hpp"

namespace omnigate::store {

LoginFailures after_login_failure(LoginFailures before, UnixMs now, const LockoutPolicy& policy) {
  // A failure while locked is refused before the password is checked, so it never gets here;
  // one after the lock ended starts from the fresh count the lock left.
  LoginFailures after{before.count + 1, before.locked_until};
  if (after.count >= policy.failures) {
    after.count = 0;
    after.locked_until = now + policy.lock_ms;
  }
  return after;
}

}  // namespace omnigate::store
