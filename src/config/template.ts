/**
 * What `opsdeck init` writes: every section, safe defaults active, the rest as
 * commented examples. Secrets appear only as ${env:...} / ${file:...} references.
 * test/unit/config-template.test.ts keeps it valid against the schema.
 */
export const STARTER_CONFIG = `# opsdeck configuration
# Validate with: opsdeck config check
# Found via --config, $OPSDECK_CONFIG, ./opsdeck.yaml, then ~/.config/opsdeck/config.yaml.
#
# Secrets are never written here: use references, resolved only when used:
#   \${env:NAME}   an environment variable
#   \${file:PATH}  the content of a file (relative to this file's directory; ~/ allowed)

aws:
  # profile: production           # or --profile
  # region: eu-west-1             # or --region; else AWS_REGION / the profile
  # endpoint: http://127.0.0.1:4566   # any AWS-compatible endpoint (AWS_ENDPOINT_URL works too)

fleet:
  # How the app servers behind HAProxy are found. Pick one or combine.
  discovery:
    # amiPointer: s3://my-deploy-bucket/ami-application   # an S3 object holding the current AMI id
    # tags:
    #   role: app
    #   env: [production, prod]
    # autoScalingGroup: web-asg   # InService members of this group
  address: private                # private | public
  port: 80
  # portTag: opsdeck:port         # an instance tag that overrides the port
  refreshSeconds: 15

haproxy:
  # template: /etc/haproxy/haproxy.cfg.template   # a full config whose pool backends have no server lines
  configPath: /etc/haproxy/haproxy.cfg
  backends: [www_farm]
  # backendPorts:                 # port per pool, where it is not fleet.port (an instance's portTag still wins)
  #   www_farm: 8080
  serverOptions: check maxconn 200
  binary: haproxy
  reload:
    method: master-cli            # master-cli | signal | command
    masterSocket: /run/haproxy-master.sock
    # method: signal
    # pidFile: /run/haproxy.pid
    # method: command
    # command: systemctl reload haproxy
  runtimeSocket: /run/haproxy/admin.sock
  # serverStateFile: /var/lib/haproxy/server-state
  # backupDir: /var/backups/opsdeck-haproxy
  keepBackups: 10
  maxRemoveFraction: 0.5          # a sync removing more than this share of a pool needs --force

snapshots:
  timeZone: UTC
  windows:                        # grandfather-father-son, measured back from now
    keepAllHours: 24
    dailyDays: 7
    weeklyDays: 31
    monthlyDays: 365
  keep:                           # restic-style counts, on top of the windows
    tag: [retain]                 # a snapshot tagged retain (any value) is kept; [] turns this off
    # last: 3
    # monthly: 24
  # volumes: [vol-0123456789abcdef0]
  # tags:
  #   backup: daily
  planMaxAgeMinutes: 60
  concurrency: 8

scaling:
  # groups: [web-asg]              # the groups the Scaling pane shows; none listed: all of them
  timeZone: UTC                   # for prescale --at/--until written without an offset
  activities: 20                  # recent scaling activities shown per group
  shutdownWaitMinutes: 30         # how long a shutdown waits for the instances to go
  drainTimeoutSeconds: 120        # a pooled instance stays in HAProxy DRAIN this long at most before it terminates

# SSH targets for runbooks; host keys are checked against known_hosts.
# Without identityFile: ~/.ssh/id_* and the ssh-agent (SSH_AUTH_SOCK), as ssh does.
# Uncomment an example by deleting its "# "; the indentation is already right.
hosts:
  # db-primary:
  #   host: db1.example.internal
  #   port: 22
  #   user: admin
  #   identityFile: ~/.ssh/id_ed25519
  #   knownHosts: ~/.ssh/known_hosts
  #   trustOnFirstUse: false   # true: record an unknown host key once (never a changed one)
  #   mysqld:                  # how runbooks stop/start its MySQL (mysql-resync); must wait until done
  #     stop: sudo systemctl stop mariadb     # default: systemctl stop mariadb || systemctl stop mysql
  #     start: sudo systemctl start mariadb   # default: systemctl start mariadb || systemctl start mysql

mysql:
  # primary:
  #   host: 127.0.0.1
  #   port: 3306
  #   user: opsdeck
  #   password: \${env:OPSDECK_MYSQL_PASSWORD}
  #   role: primary
  #   sshHost: db-primary
  # replica:
  #   host: db2.example.internal
  #   user: opsdeck
  #   password: \${file:~/.config/opsdeck/mysql-replica.password}
  #   role: replica

webcam:
  # where the camera is: capture while the sun is above sunAltitude (-6: civil twilight)
  latitude: 49.8672
  longitude: -118.00737
  timeZone: America/Vancouver
  intervalMinutes: 5
  sunAltitude: -6
  lowLightMinutes: 15
  # bucket: my-webcam-bucket
  prefix: webcam/
  sizes: [1280, 640, 160]
  quality: 90
  # publicRead: false          # the seed's public-read objects, opt-in
  # spoolDir: /var/spool/opsdeck-webcam   # incoming/, rejected/, archive/, queue/
  capture:
    # argv, no shell: {output} is the file to write, {settings} the --set-config pairs
    command: [gphoto2, --capture-image-and-download, --force-overwrite, --filename, "{output}", "{settings}"]
    timeoutSeconds: 60
    lowLightSettings: { iso: "800" }
  # delivery:                    # where the camera host puts frames (default: its own incoming/)
  #   method: sftp               # upload to a .part name, then posix-rename: atomic on the server
  #   host: ingest               # a name under hosts:
  #   remoteDir: /var/spool/opsdeck-webcam/incoming
  #   # or: method: s3            # PUT with Content-MD5 to s3://bucket/prefix: atomic
  #   # bucket: my-webcam-bucket  # default webcam.bucket
  #   # prefix: webcam-incoming/
  # source:                      # where ingest takes frames (default: the incoming folder)
  #   method: s3                 # complete objects under the prefix; refused ones under PREFIX/rejected/
  #   prefix: webcam-incoming/   # bucket: default webcam.bucket
  # cameraHost:                  # on the server: read the camera host's undelivered queue and capture record over SFTP
  #   host: camera               # a name under hosts:
  #   queueDir: /var/spool/opsdeck-webcam/queue
  #   # captureState: /var/spool/opsdeck-webcam/capture-state.json  # default: beside queueDir
  #   timeoutSeconds: 5          # past it the pane says unreachable (timeout)
  # preview: auto                # the pane's image: auto | halfblock | kitty | iterm2 | off
  # previewTmuxPassthrough: false  # inside tmux (3.3+, allow-passthrough on) images instead of half blocks
  # database:
  #   target: primary          # a name under mysql:
  #   name: webcam
  #   table: webcam_images
  #   timelapseTable: webcam_timelapses
  # timelapse:                   # opsdeck webcam timelapse --day|--week|--month
  #   ffmpeg: ffmpeg             # Debian package ffmpeg
  #   fps: 24
  #   width: 1280
`;
