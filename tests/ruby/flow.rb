# fog-aliyun (Debian's ruby-fog-aliyun 0.3.2) as a Ruby user drives it: images and servers, disks and
# snapshots, an image of a snapshot, security groups and rules, a VPC with a vSwitch, its router and route
# table, an EIP on a server, then everything deleted. Driven by tests/test_fog.py; prints one JSON line.
#
#   ruby flow.rb ECS_URL [ACCESS_KEY_ID ACCESS_KEY_SECRET]
#
# ECS_URL is fog's `aliyun_url`: `mockecs server`'s own URL, or https://ecs.aliyuncs.com with HTTPS_PROXY
# pointing at the server and SSL_CERT_FILE trusting its CA (fog's VPN calls go to https://vpc.aliyuncs.com,
# hard-coded, which only the proxy reaches).
require 'json'
require 'uri'

# fog-aliyun 0.3.2 signs with URI.encode, which Ruby 3.0 removed (every request fails, against the cloud too):
# Ruby 2.7's URI.encode, put back for it, is the only change to the client's world.
module URI
  unless respond_to?(:encode)
    def self.encode(str, unsafe = RFC2396_Parser.new.regexp[:UNSAFE])
      RFC2396_Parser.new.escape(str, unsafe)
    end
  end
end

$VERBOSE = nil # (fog-core's deprecation warnings about the provider's constant names)
require 'fog/core'
Fog::Logger[:deprecation] = nil
require 'fog/aliyun'

url, key, secret = ARGV
compute = Fog::Compute.new(provider: 'aliyun', aliyun_url: url, aliyun_accesskey_id: key || 'fog-key',
                           aliyun_accesskey_secret: secret || 'fog-secret', aliyun_region_id: 'cn-hangzhou',
                           aliyun_zone_id: 'cn-hangzhou-h')
out = {}

# An error as a fog user sees it: its class, the HTTP status and the service's Code (in the answer's body;
# fog's own NotFound keeps only Excon's message, which quotes the body).
def failure(err)
  response = err.respond_to?(:response) ? err.response : nil
  text = response ? response.body : err.message
  { 'class' => err.class.name, 'status' => response && response.status,
    'code' => text[/Code\\*":\\*"([^"\\]+)/, 1], 'message' => text[/Message\\*":\\*"([^"\\]+)/, 1] }
end

def step(out, name)
  out[name] = yield
rescue StandardError => err
  out[name] = { 'error' => failure(err) }
end

# plain values of a model (fog's attributes, symbols for those it names)
def shown(model, *names)
  names.to_h { |name| [name.to_s, model.send(name)] }
end

def decode(response)
  JSON.parse(response.body)
end

step(out, 'zones') { decode(compute.list_zones)['Zones']['Zone'].map { |z| z['ZoneId'] } }

# -- images -------------------------------------------------------------------------------------------------
images = compute.images.all(ownerAlias: 'system', pageSize: '10')
image = images.find { |i| i.os_type == 'linux' && i.architecture == 'x86_64' } || images.first
out['images'] = { 'count' => images.size, 'class' => images.first.class.name,
                  'first' => shown(image, :id, :name, :state, :size, :os_type, :architecture, :owner_alias,
                                   :progress, :snapshot_id, :platform, :is_copied) }
step(out, 'image_get') { shown(compute.images.get(image.id), :id, :name, :state) }

# -- network: a VPC (ECS's own CreateVpc, as fog calls it), a vSwitch, the router and its route table ------
vpc_id = decode(compute.create_vpc('172.16.0.0/12', name: 'fog-vpc', description: 'made-by-fog'))['VpcId']
vpc = compute.vpcs.get(vpc_id) # (also sets fog's $vpc, which Vswitch#vpc reads)
out['vpc'] = shown(vpc, :id, :name, :state, :cidr_block, :description, :v_router_id, :v_switch_ids, :region_id)
vswitch_id = decode(compute.create_vswitch(vpc.id, '172.16.1.0/24', name: 'fog-vsw', zoneId: 'cn-hangzhou-h')
                   )['VSwitchId']
step(out, 'modify_vpc') do
  compute.modify_vpc(vpc.id, name: 'fog-vpc-2', description: 'renamed-by-fog')
  shown(compute.vpcs.get(vpc.id), :name, :description, :v_switch_ids)
end
step(out, 'vswitch') do
  shown(vpc.vswitches.get(vswitch_id), :id, :vpc_id, :zone_id, :name, :cidr_block, :state, :available_ip_count)
end
# Vpc#vrouter lists with Action=DescribeVrouters, not the API's DescribeVRouters: InvalidAction.NotFound. The
# VPC's own VRouterId makes the model the route tables hang from.
step(out, 'vpc_vrouter') { vpc.vrouter.id }
step(out, 'vrouter') do
  router = Fog::Compute::Aliyun::VRouter.new(service: compute, id: vpc.v_router_id)
  tables = router.route_tables.all
  entries = tables.first.route_entrys.all
  { 'router' => router.id, 'tables' => tables.map { |t| shown(t, :id, :type) },
    'entries' => entries.map { |e| shown(e, :cidr_block, :type, :state) } }
end

# -- a security group in the VPC, with rules --------------------------------------------------------------
group_id = decode(compute.create_security_group(name: 'fog-sg', description: 'fog-group', vpcId: vpc.id)
                 )['SecurityGroupId']
group = compute.security_groups.get(group_id)
out['group'] = shown(group, :id, :name, :description, :vpc_id)
# (fog's IpProtocol defaults to all, which takes no port range but -1/-1: OperationDenied, as the service)
step(out, 'rule_all_with_port') do
  group.authorize_security_group_ip_rule('10.0.0.0/8', 'ingress', portRange: '22/22', nic_type: 'intranet')
end
step(out, 'rules_added') do
  group.authorize_security_group_ip_rule('10.0.0.0/8', 'ingress', portRange: '22/22', protocol: 'tcp',
                                         nic_type: 'intranet')
  group.authorize_security_group_ip_rule('0.0.0.0/0', 'egress', portRange: '443/443', protocol: 'tcp',
                                         nic_type: 'intranet')
end
step(out, 'rules') do
  group.security_group_rules.map do |r|
    shown(r, :security_group_id, :direction, :ip_protocol, :port_range, :source_cidr_ip, :dest_cidr_ip,
          :nic_type, :policy, :priority)
  end
end

# -- a server (fog's Server model has no save: create_server, the request, is how fog creates one) ---------
step(out, 'servers_create') { compute.servers.create(image_id: image.id, type: 'ecs.g7.large').id }
server_id = decode(compute.create_server(image.id, group.id, 'ecs.g7.large', VSwitchId: vswitch_id,
                                         InstanceName: 'fog-server', ZoneId: 'cn-hangzhou-h'))['InstanceId']
out['server_id'] = server_id
step(out, 'server') do
  found = compute.servers.get(server_id) # (a Hash: Servers#all returns the answer's list, not models)
  found.slice('InstanceId', 'InstanceName', 'Status', 'ImageId', 'VpcAttributes', 'SecurityGroupIds', 'ZoneId')
end
step(out, 'start') { compute.start_server(server_id).status }
step(out, 'running') { compute.servers.get(server_id)['Status'] }
step(out, 'reboot') { [compute.reboot_server(server_id).status, compute.servers.get(server_id)['Status']] }
step(out, 'instance_type') { compute.get_instance_type(2, 8.0) } # (DescribeInstanceTypes: CpuCoreCount, MemorySize)
step(out, 'join_leave') do
  other = decode(compute.create_security_group(name: 'fog-sg-2', vpcId: vpc.id))['SecurityGroupId']
  compute.join_security_group(server_id, other)
  joined = compute.servers.get(server_id)['SecurityGroupIds']['SecurityGroupId']
  compute.leave_security_group(server_id, other)
  left = compute.servers.get(server_id)['SecurityGroupIds']['SecurityGroupId']
  compute.delete_security_group(other)
  { 'joined' => joined.size, 'left' => left }
end

# -- a data disk, attached; the system disk's snapshot, an image of the snapshot ----------------------------
# fog's create_disk calls Hash#merge on the Excon answer (NoMethodError) after the disk is made, with a model's
# save or the request alike (and fog 0.3.2 asks for sizes as strings): found again by its name, as a user would.
step(out, 'volumes_create') { compute.volumes.create(size: '20', name: 'fog-disk').id }
disk = compute.volumes.all(name: 'fog-disk').first
out['disk_created'] = disk.id
step(out, 'attach') { compute.attach_disk(server_id, disk.id).status }
step(out, 'disk') do
  shown(compute.volumes.get(disk.id), :id, :name, :size, :category, :state, :server_id, :type, :zone_id,
        :portable, :delete_with_instance)
end
# an image is made from a system disk's snapshot (a data disk's: OperationDenied, as the service)
# (list_disks sends DiskType only when a category is given too: the type is picked here)
system_disk = compute.volumes.all(instanceId: server_id).find { |d| d.type == 'system' }
out['system_disk'] = shown(system_disk, :id, :type, :category, :size, :server_id, :image_id)
snapshot = compute.snapshots.create(volume_id: system_disk.id, name: 'fog-snap', description: 'fog-snapshot')
out['snapshot_created'] = snapshot.id
step(out, 'snapshot') do
  shown(compute.snapshots.get(snapshot.id), :id, :name, :state, :progress, :volume_id, :volume_size, :volume_type,
        :ready?)
end
# Image#initialize reads DiskDeviceMappings from its attributes, so images.create/new fail on a user's own
# attributes (NoMethodError on nil): create_image, the request, makes the image.
step(out, 'images_create') { compute.images.create(snapshot_id: snapshot.id, name: 'fog-image').id }
image_id = decode(compute.create_image(snapshot.id, name: 'fog-image', description: 'fog-made'))['ImageId']
out['image_created'] = image_id
made = compute.images.all(imageId: image_id, ownerAlias: 'self').first
out['own_image'] = shown(made, :id, :name, :description, :state, :owner_alias, :size, :snapshot_id, :ready?,
                         :progress, :usage)
step(out, 'images_get') { compute.images.get(image_id)&.id }
step(out, 'disk_snapshots') { system_disk.snapshots.map(&:id) }
step(out, 'disk_from_snapshot') do # (create_disk_by_snapshot has no merge bug)
  made_id = decode(compute.create_disk_by_snapshot(snapshot.id, name: 'fog-copy'))['DiskId']
  copy = compute.volumes.get(made_id)
  compute.delete_disk(made_id)
  shown(copy, :name, :snapshot_id, :size, :type, :state, :portable)
end

# -- an EIP on the server -----------------------------------------------------------------------------------
eip = compute.eip_addresses.create(bandwidth: '5')
out['eip_created'] = shown(eip, :id, :ip_address)
step(out, 'associate') { eip.associate(compute.servers.new(id: server_id)).status }
step(out, 'eip') do
  shown(compute.eip_addresses.get(eip.id), :id, :ip_address, :state, :server_id, :bandwidth, :charge_type)
end

# -- errors: fog's exceptions, the service's codes -----------------------------------------------------------
step(out, 'bad_image') { compute.create_server('m-nosuchimage0000000', group.id, 'ecs.g7.large') }
step(out, 'bad_cidr') { compute.create_vpc('10.0.0.0/33') }
step(out, 'vpc_in_use') { compute.delete_vpc(vpc.id) }
step(out, 'unknown_disk') { compute.delete_disk('d-bp1nosuchdisk000000') }
step(out, 'running_server') { compute.delete_server(server_id) }
step(out, 'snapshot_of_image') { snapshot.destroy }
# fog's VPN calls go to https://vpc.aliyuncs.com whatever aliyun_url says: only through the proxy (FOG_VPC_API=1)
step(out, 'vpn_gateways') { decode(compute.list_vpn_gateways)['VpnGateways'] } if ENV['FOG_VPC_API'] == '1'

# -- everything deleted ---------------------------------------------------------------------------------------
cleanup = {}
step(cleanup, 'unassociate') { eip.disassociate(compute.servers.new(id: server_id)).status }
step(cleanup, 'release') { eip.destroy }
step(cleanup, 'image') { made.destroy }
step(cleanup, 'snapshot') { snapshot.destroy }
step(cleanup, 'detach') { compute.detach_disk(server_id, disk.id).status }
step(cleanup, 'disk') { disk.destroy }
step(cleanup, 'stop') { compute.stop_server(server_id).status }
step(cleanup, 'server') { compute.delete_server(server_id).status }
step(cleanup, 'rule') do
  group.revoke_security_group_ip_rule('10.0.0.0/8', 'ingress', portRange: '22/22', protocol: 'tcp',
                                      nic_type: 'intranet')
end
step(cleanup, 'group') { group.destroy }
step(cleanup, 'vswitch') { compute.delete_vswitch(vswitch_id).status }
step(cleanup, 'vpc') { vpc.destroy }
out['cleanup'] = cleanup
step(out, 'left') do
  { 'vpcs' => compute.vpcs.all.size, 'groups' => compute.security_groups.all.size,
    'eips' => compute.eip_addresses.all.size, 'disks' => compute.volumes.all.size,
    'servers' => compute.servers.all.size, 'own_images' => compute.images.all(ownerAlias: 'self').size }
end
puts JSON.generate(out)
