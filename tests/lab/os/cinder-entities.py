#!/usr/bin/python3
## Idempotently create Cinder's service user (cinder / secret, roles admin + service in
## the service project) and its catalog entry: volumev3 in RegionOne on 127.0.0.1:8776.
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
url = 'http://127.0.0.1:8776/v3/%(project_id)s'
svc = one(ks.services.list(type='volumev3')) or ks.services.create('cinderv3', type='volumev3')
have = {e.interface for e in ks.endpoints.list(service=svc, region='RegionOne')}
for itf in ('public', 'internal', 'admin'):
    if itf not in have:
        ks.endpoints.create(svc, url, interface=itf, region='RegionOne')
print('cinder keystone entities ok')
