BUG:
WARNING:
Oops
general protection
Kernel panic
hung_task_timeout_secs
INFO: task .* blocked for more than
INFO: possible
KASAN
UBSAN
kmemleak: .*suspected memory leak
unreferenced object
detected stall
soft lockup
