// Word pools for bench/generate-archive.ts: topics, off-topic chatter, insults, Japanese posts, names.

export interface Topic {
  subjects: string[];
  sentences: string[];
}

/** What a Linux users' group talks about; sentences deliberately use kill/abort/dump/master/slave/die as tech does. */
export const TOPICS: Topic[] = [
  {
    subjects: ['Kernel panic after upgrading to 6.8', 'System hangs on boot with new kernel', 'Rolling back a bad kernel update'],
    sentences: [
      'After the upgrade the machine stops right after loading the initramfs.',
      'The last thing on the console is a stack trace mentioning the nouveau module.',
      'Booting the previous kernel from the GRUB menu still works fine.',
      'Try adding nomodeset to the kernel command line and see whether it gets further.',
      'You can get the full log with journalctl -k -b -1 once you are back on the old kernel.',
      'It might be worth bisecting between the two versions if nobody else has seen it.',
      'A kernel core dump would help, so enable kdump before you try again.',
      'The watchdog kills the boot after ninety seconds, which hides the real error.',
    ],
  },
  {
    subjects: ['Japanese input with fcitx5 on Wayland', 'Mozc stopped working after update', 'IME switching in GNOME 46'],
    sentences: [
      'Since the update I can no longer switch to Mozc with the usual hotkey.',
      'Under Wayland you need to set the environment variables in the session, not in your shell rc.',
      'fcitx5-configtool shows the input method but nothing happens when I press the key.',
      'Check that the GTK and Qt input method modules are both installed.',
      'Some applications started through Flatpak need their own permission for the input method.',
      'I switched from ibus to fcitx5 last year and have not looked back.',
      'Firefox works, but the terminal ignores the input method completely.',
    ],
  },
  {
    subjects: ['Backups with restic to a NAS', 'rsync vs borg for home backups', 'Restoring from a failed disk'],
    sentences: [
      'I run restic every night from a systemd timer and prune weekly.',
      'The NAS exports the share over NFS, and the mount sometimes dies overnight.',
      'Borg deduplicates well, but the repository must not be touched by two clients at once.',
      'Always test a restore; a backup you never restored is only a hope.',
      'The old disk started throwing SMART errors, so I want to copy what I can first.',
      'ddrescue will copy the readable sectors first and come back for the bad ones later.',
      'Keep one copy off site, even if it is just a USB disk at the office.',
      'My script aborts when the NAS is asleep, so I added a wake-on-LAN step.',
    ],
  },
  {
    subjects: ['Postfix relay through the ISP', 'Mail from my server lands in spam', 'DKIM signing with OpenDKIM'],
    sentences: [
      'The ISP blocks outbound port 25, so everything has to go through their relay.',
      'Set relayhost in main.cf and enable SASL authentication for the relay.',
      'Without SPF and DKIM the big providers will put your mail in the spam folder.',
      'The DMARC reports show that my own server fails alignment.',
      'Check the headers of a delivered message to see which check failed.',
      'OpenDKIM needs to be added as a milter in Postfix, both for smtpd and non-smtpd.',
      'The queue has been stuck for a day; postqueue -p lists a few hundred deferred messages.',
    ],
  },
  {
    subjects: ['Docker containers lose DNS', 'Podman rootless networking', 'Moving from docker-compose to systemd units'],
    sentences: [
      'Inside the container, resolv.conf points at an address that does not answer.',
      'systemd-resolved listens on 127.0.0.53, which the container cannot reach.',
      'Rootless Podman uses slirp4netns or pasta, and port forwarding behaves differently.',
      'Kill the container and start it with --dns pointing at your router to test.',
      'Quadlet files let systemd manage the containers directly.',
      'The master process keeps running while the worker processes get restarted.',
      'I prefer to pin image digests so an update never surprises me.',
    ],
  },
  {
    subjects: ['Raspberry Pi as a home server', 'SD card corruption on the Pi', 'Pi 5 fan control'],
    sentences: [
      'The SD card died after eight months of logging to it.',
      'Booting from a USB SSD made the Pi far more reliable.',
      'Mount /var/log as tmpfs if you must keep the SD card.',
      'The official case fan runs all the time unless you set the thermal thresholds.',
      'Power supplies that cannot deliver enough current cause odd crashes.',
      'I use the Pi for Pi-hole, a small Samba share and a Git mirror.',
    ],
  },
  {
    subjects: ['Emacs vs Vim for writing Japanese', 'Org mode and LaTeX export', 'Neovim LSP setup'],
    sentences: [
      'Line breaking in Japanese text needs a different fill function.',
      'The LSP client starts, but the server dies when I open a large file.',
      'Org export to LaTeX needs xelatex or lualatex for Japanese fonts.',
      'I keep my configuration in Git and bootstrap it with a small shell script.',
      'Evil mode is good enough that I rarely miss Vim itself.',
      'The language server dumps a huge log into the messages buffer.',
    ],
  },
  {
    subjects: ['Btrfs snapshots and Snapper', 'ZFS on Linux for a home NAS', 'Filesystem for a large media disk'],
    sentences: [
      'Snapper takes hourly snapshots and cleans them up on a schedule.',
      'A balance on a nearly full Btrfs volume can take many hours.',
      'ZFS wants ECC memory in theory, though many people run it without.',
      'Scrub the pool once a month and read the report.',
      'ext4 is boring, and boring is what I want for media files.',
      'The slave disk in the old IDE setup was the one that failed first.',
    ],
  },
  {
    subjects: ['Git workflow for the LUG website', 'Rebasing a long-lived branch', 'Signing commits with SSH keys'],
    sentences: [
      'We could move the site to a static generator and review changes as pull requests.',
      'Rebase often, or the conflicts pile up until nobody wants to touch the branch.',
      'Git can sign commits with an SSH key now, which is simpler than GPG for most of us.',
      'The CI job aborts when the link checker finds a dead link.',
      'Please keep the main branch deployable at all times.',
      'Blame shows that the template was last touched five years ago.',
    ],
  },
  {
    subjects: ['Meeting venue for next month', 'Planning the November meeting', 'Call for talks: next TLUG meeting'],
    sentences: [
      'The room in Shibuya is available on the second Saturday.',
      'We need two short talks and one longer one.',
      'Please reply on the list if you want to give a talk, even a five-minute one.',
      'Afterwards we can go to the usual izakaya near the station.',
      'Could someone bring a projector adapter for USB-C laptops?',
      'Attendance last time was about twenty people.',
    ],
  },
  {
    subjects: ['Wi-Fi drops with Intel AX210', 'Bluetooth headset audio stutters', 'PipeWire replacing PulseAudio'],
    sentences: [
      'The connection drops every few minutes and comes back after a while.',
      'Disabling power saving for the wireless card fixed it for me.',
      'PipeWire handles Bluetooth codecs much better than PulseAudio did.',
      'The firmware package from the distribution was older than the driver expected.',
      'dmesg shows the firmware crashing and the driver restarting it.',
      'Switching the headset to the A2DP profile made the stutter go away.',
    ],
  },
  {
    subjects: ['Python packaging in 2024', 'uv vs pip-tools', 'Virtual environments for system scripts'],
    sentences: [
      'Never install packages into the system Python with sudo pip.',
      'A virtual environment per project keeps the dependencies apart.',
      'uv resolves and installs much faster than pip for large projects.',
      'The lock file should be committed so everyone gets the same versions.',
      'The script dies with an import error when cron runs it, because cron has a different PATH.',
    ],
  },
];

/** Sentences that fit any technical thread. Some start with "From " on purpose: mbox writers must escape them. */
export const GENERIC = [
  'From what I can tell, the defaults changed in the last release.',
  'From my experience, the documentation is a little behind the code here.',
  'Did you check the logs right after it happens?',
  'I had the same problem last year and never found the cause.',
  'Which distribution and version are you running?',
  'That sounds like a permissions problem to me.',
  'The man page explains the option, but the example is wrong.',
  'I will try that tonight and report back.',
  'Thanks, that fixed it.',
  'It works on my machine, for what that is worth.',
  'Could you post the exact error message?',
  'There is an open bug about this upstream.',
  'Sending SIGTERM first and SIGKILL only if that fails is the polite way.',
  'The process dumps core when it runs out of file descriptors.',
  'Garbage collection pauses explain the latency spikes.',
  'I would not run that in production without testing it first.',
  'The manual says the setting is ignored unless the service is restarted.',
  'Please do not top-post; it makes the thread hard to follow.',
];

export const REPLY_OPENERS = [
  'Thanks for the detailed answer.',
  'I agree with the above.',
  'Not quite, I think.',
  'Interesting.',
  'Good point.',
  'Hmm, that does not match what I see.',
  'Yes, exactly.',
  'One more data point:',
];

export const OFF_TOPIC: Topic[] = [
  {
    subjects: ['[OT] The election results', 'Politics and the new tax bill', 'OT: who are you voting for?'],
    sentences: [
      'The new government will raise the consumption tax again, mark my words.',
      'Both parties are the same when it comes to defence spending.',
      'The prime minister should resign after that scandal.',
      'Voter turnout among young people was embarrassingly low.',
      'The opposition has no plan at all, only slogans.',
      'Immigration policy is what this election is really about.',
    ],
  },
  {
    subjects: ['[OT] Baseball season', 'Did anyone watch the World Cup final?', 'OT: best team this year'],
    sentences: [
      'The Tigers finally won the pennant after eighteen years.',
      'That penalty in extra time was a disgrace to the sport.',
      'The pitcher threw a perfect game on Sunday.',
      'Tickets for the final sold out in four minutes.',
      'The referee clearly favoured the home side.',
    ],
  },
  {
    subjects: ['Looking for a date in Tokyo', 'OT: dating apps in Japan', 'Anyone single and into hiking?'],
    sentences: [
      'I am new in town and would love to meet someone for dinner.',
      'Which dating app do people actually use here?',
      'Send me a private message if you are interested.',
      'My profile photos are on my personal site.',
    ],
  },
  {
    subjects: ['[OT] Is there a God?', 'Religion and free software', 'OT: faith and reason'],
    sentences: [
      'Faith cannot be argued away with logic, and it should not be.',
      'Every religion claims to be the only true one.',
      'Prayer has done more for me than any doctor.',
      'Organised religion has caused more wars than anything else.',
    ],
  },
  {
    subjects: ['Great investment opportunity', 'OT: crypto is going to the moon', 'Make money from home'],
    sentences: [
      'This coin went up four hundred percent last month.',
      'Get in early before the big exchanges list it.',
      'I made more in a week than in a year of salary.',
      'Send me a message and I will add you to the group.',
    ],
  },
];

/** Insults aimed at people, to give the incendiary-language rule true positives. */
export const INSULTS = [
  'You clearly have no idea what you are talking about, you idiot.',
  'What a moronic suggestion.',
  'Shut up and read the manual, moron.',
  'Only a clueless fool would run that in production.',
  'You are pathetic, and so is your code.',
  'Are you really this stupid, or are you just pretending?',
  'Nobody cares about your worthless opinion.',
  'Go crawl back under your rock, you troll.',
  'This is the dumbest thing I have read all week, and you should be ashamed.',
  'Get lost, loser.',
];

/** Heated but not insulting: mild frustration the rules should not treat like an insult. */
export const HEATED = [
  'I am getting really tired of this argument.',
  'This is the third time I have had to explain it.',
  'Frankly, I find this whole discussion exhausting.',
  'Please stop repeating the same claim without evidence.',
];

export const FIRST_NAMES = [
  'Benjamin', 'Stephen', 'Curt', 'Josh', 'Edward', 'Travis', 'Bruno', 'Jim', 'Christian', 'David', 'Kalin', 'Raymond',
  'Alice', 'Maria', 'Sophie', 'Emma', 'Olivia', 'Grace', 'Hannah', 'Laura', 'Nina', 'Chloe', 'Ruth', 'Ingrid',
  'Kenji', 'Hiroshi', 'Takashi', 'Yuki', 'Akira', 'Satoshi', 'Naoko', 'Keiko', 'Emi', 'Daisuke', 'Haruto', 'Mei',
];
export const LAST_NAMES = [
  'Kowarsch', 'Turnbull', 'Sherrill', 'Glover', 'Kent', 'Cross', 'Laurent', 'Tittsler', 'Horn', 'Oliver', 'Kovacs',
  'Morgan', 'Schmidt', 'Rossi', 'Dubois', 'Nguyen', 'Garcia', 'Fischer', 'Novak', 'Lindqvist', 'Okafor', 'Patel',
  'Tanaka', 'Suzuki', 'Sato', 'Takahashi', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Kato',
];
export const DOMAINS = [
  'example.jp', 'mail.example.com', 'example.org', 'example.net', 'uni.example.ac.jp', 'corp.example.co.jp',
  'example.de', 'isp.example.ne.jp',
];

export const JP_NAMES = ['山田太郎', '佐藤花子', '鈴木一郎', '高橋健', '田中美咲', '伊藤誠', '渡辺直子', '中村大輔'];
export const JP_SUBJECTS = [
  '【質問】Ubuntu で日本語入力ができません',
  'カーネル更新後に無線LANがつながらない',
  '次回の勉強会の会場について',
  'バックアップの方法を教えてください',
  'Raspberry Pi でファイルサーバを作りました',
];
export const JP_SENTENCES = [
  'カーネルを更新したら、無線LANが使えなくなりました。',
  '再起動しても状況は変わりません。',
  'ログを見ると、ファームウェアの読み込みに失敗しているようです。',
  '以前のカーネルで起動すると問題なく動きます。',
  '同じ症状の方はいらっしゃいますか。',
  '設定ファイルを見直したところ、原因が分かりました。',
  'ご指摘ありがとうございます。試してみます。',
  '日本語入力の設定は、環境変数を確認してください。',
  '会場は渋谷駅の近くを予定しています。',
  '参加される方は、このスレッドに返信をお願いします。',
  'バックアップは毎晩自動で取るようにしています。',
  '詳しい手順をまとめたので、参考にしてください。',
];
export const JP_CLOSINGS = ['よろしくお願いします。', '以上です。', 'ありがとうございました。'];

export const SIGNATURES = [
  'Tokyo Linux Users Group member since 1998',
  'GnuPG key on the usual keyservers',
  'Sent from a machine running Debian unstable',
  'https://www.example.org/~me/',
  'If it is not in version control, it does not exist.',
];
