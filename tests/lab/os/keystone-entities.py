#!/usr/bin/python3
## Idempotently create the service project, the service users (nova, glance,
## placement, neutron / secret, roles admin + service) and the catalog.
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
for u in ('nova', 'glance', 'placement', 'neutron'):
    user = one(ks.users.list(name=u)) or ks.users.create(u, domain='default', password='secret')
    ks.roles.grant(admin_role, user=user, project=proj)
    ks.roles.grant(service_role, user=user, project=proj)
for name, typ, url in (('glance', 'image', 'http://127.0.0.1:9292'),
                       ('placement', 'placement', 'http://127.0.0.1:8778'),
                       ('nova', 'compute', 'http://127.0.0.1:8774/v2.1'),
                       ('neutron', 'network', 'http://127.0.0.1:9696')):
    svc = one(ks.services.list(type=typ)) or ks.services.create(name, type=typ)
    have = {e.interface for e in ks.endpoints.list(service=svc)}
    for itf in ('public', 'internal', 'admin'):
        if itf not in have:
            ks.endpoints.create(svc, url, interface=itf, region='RegionOne')
print('keystone entities ok')
