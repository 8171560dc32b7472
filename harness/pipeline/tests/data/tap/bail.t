use Test::More tests => 5;
ok(1, 'disk mounted');
ok(1, 'user exists');
BAIL_OUT('the session never started');
