import p from 'nodemailer/lib/addressparser';
for(const s of ['notanaddress','typo@example,com','a@x, b@y','ok@example.com\r\nBcc: evil2@attacker.test','Ops <ops@example.com>','"a,b"@x.com','a@b@c','g: a@b, c@d;','<>','@x','a@','a b@c.d','ops@example.com (comment)', 'a@[1.2.3.4]','ok@example.com;evil@x','Ops <ops@example.com> x@y']) console.log(JSON.stringify(s), JSON.stringify(p(s)))
