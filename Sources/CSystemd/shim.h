// libsystemd as Swift sees it. The CODE_* location macros are not importable into Swift,
// so the journal handler adds CODE_FILE/CODE_LINE/CODE_FUNC itself. sd-bus's variadic calls
// (sd_bus_call_method, sd_bus_message_read) are not importable either: the unit restarter builds
// its messages with sd_bus_message_append_basic and reads them with sd_bus_message_read_basic.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>
