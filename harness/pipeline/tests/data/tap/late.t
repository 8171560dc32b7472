use strict; use warnings;
use Test::More;
print "TAP version 13\n";
ok(1, 'first');
subtest 'a subtest' => sub { plan tests => 2; ok(1, 'inner one'); ok(1, 'inner two'); };
note('a note goes to stdout');
ok(1, 'last');
done_testing();
