// Facts about procfs the addon checks /proc against.
#pragma once

namespace caps {

// linux/magic.h PROC_SUPER_MAGIC: only procfs lists the kernel's threads and their credentials;
// a tmpfs or bind mount over /proc could hide or forge them (DESIGN "/proc is authenticated").
constexpr long kProcSuperMagic = 0x9fa0;

}  // namespace caps
