use Test::More skip_all => 'no systemd on this image';
