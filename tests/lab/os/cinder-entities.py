#!/usr/bin/python3
## Idempotently create Cinder's service user (cinder / secret, roles admin + service in
## the service project) and its catalog entry: volumev3 in REGION on 127.0.0.1:PORT.
## Usage: cinder-entities.py [REGION PORT]   (default: RegionOne 8776; the region is made
## when Keystone has none of that name)
import sys
from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

auth = v3.Password(auth_url='http://127.0.0.1:5000/v3', username='admin',
                   password='admin', project_name='admin',
                   user_domain_name='Default', project_domain_name='Default')
ks = client.Client(session=session.Session(auth=auth))


def one(lst):
    return lst[0] if lst else None


proj = one(ks.projects.list(name='service')) or ks.projects.create('service', 'default')
admin_role = one(ks.roles.list(name='admin'))
service_role = one(ks.roles.list(name='service')) or ks.roles.create('service')
user = one(ks.users.list(name='cinder')) or ks.users.create('cinder', domain='default', password='secret')
ks.roles.grant(admin_role, user=user, project=proj)
ks.roles.grant(service_role, user=user, project=proj)
region, port = (sys.argv[1], sys.argv[2]) if len(sys.argv) > 2 else ('RegionOne', '8776')
if region not in {r.id for r in ks.regions.list()}:
    ks.regions.create(id=region)
url = 'http://127.0.0.1:%s/v3/%%(project_id)s' % port
svc = one(ks.services.list(type='volumev3')) or ks.services.create('cinderv3', type='volumev3')
have = {e.interface for e in ks.endpoints.list(service=svc, region=region)}
for itf in ('public', 'internal', 'admin'):
    if itf not in have:
        ks.endpoints.create(svc, url, interface=itf, region=region)
print('cinder keystone entities ok (%s, port %s)' % (region, port))
