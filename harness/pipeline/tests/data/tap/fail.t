use strict; use warnings;
use Test::More tests => 6;
ok(1, 'the session user exists');
is(1 + 1, 3, 'home is writable');
SKIP: { skip 'no network in the guest', 1; ok(0, 'mirror reachable'); }
TODO: { local $TODO = 'compositor not ready on 2013 images'; ok(0, 'compositor running'); }
like("DISPLAY=:0", qr/^DISPLAY=:\d/, 'DISPLAY is set # with a hash');
diag("a note for people");
ok(1);
