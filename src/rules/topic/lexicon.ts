// Hand-written vocabularies: general-English background words and a few broad topics (technical and general
// interest), so a profile can tell "common words" from "topic words" and can name where a thread went.

/** How common a word is in general English talk, as a rough per-word probability in running text. */
export const BACKGROUND_P = { common: 3e-4, general: 8e-5, topic: 3e-5, rare: 3e-6 } as const;

/** Very common content words of everyday English (not stopwords, not topic-specific). */
export const COMMON_WORDS = `people world life man men woman women child children family friend friends home house
country city place state states government money work job business company school group problem problems question
fact point case idea reason example number side head hand hands eye eyes face word words story book name power
water night morning end start turn change moment place service law war health history area market money social
political public human nature society believe feel felt understand remember happen happened live lived die died
love hate care pay paid buy sell sold win lost lose run play read hear heard speak talk talked ask asked answer
agree disagree important true false real different possible free strong clear whole american national local
international economic personal private local recent simple hard easy early late young high low true wrong
true rich poor black white red blue green public war peace death money power freedom rights truth
history society culture nation nations america american world global news media movie music god church
president party vote election tax taxes price prices cost costs market economy trade bank banks`;

/** Other everyday words: less frequent, still general, not a list's topic. */
export const GENERAL_WORDS = `age ago anger animal army article attack attention audience author average baby
balance ban bar battle beauty bed behavior belief birth blood board body border boy brain bread brother budget
building camp campaign candidate capital captain career cause century chairman chance character charge choice
church citizen civil claim class climate club coast college colony comment committee common community conflict
congress conscience constitution control council couple court crime crisis crowd culture customer damage danger
daughter dead deal debate debt decade decision defense democracy desire development dinner disease doctor dog
dollar dream drug duty earth education effort election emergency emotion empire employee enemy energy
environment equal estate ethic europe evening evidence evil exchange experience expert faith father fear federal
fight film finance fire flag food force foreign forest fortune freedom friendship fund funny future game garden
gender generation gentleman girl glory golden growth guilt gun happiness hate hero highway holiday honor hope
horse hospital hotel housing husband identity ideology illness image immigrant income independence industry
inflation influence injury institution insurance interest investment island issue judge justice kid king kingdom
labor land language leader leadership legal liberal liberty life lifestyle literature loan lord loss luck majority
marriage master meal meaning medicine member memory military mind minister minority mission model moral mother
movement murder museum nation neighbor novel officer opinion opportunity ownership pain painting parent parliament
passion patient peace philosophy plant pleasure poet police policy politician poverty prayer pressure pride
priest prince prison profit progress property protest psychology punishment queen race radio rate reality
reform region religion republic reputation research respect revolution reward risk rule safety salary scandal
science season secret senate sense sex shame ship shop sister skill slave soldier soul speech spirit sport
spring star status stock strategy street strength student success suffering summer sun supply surface
surprise survey symbol talent teacher team technology television territory terror theory threat tourist town
tradition tragedy travel treaty trial trouble trust truth union university vacation value victim victory village
violence virtue visit voice voter wage wealth weapon wedding welfare wife wind wine winter wisdom worker youth`;

/** Everyday vocabulary (home, food, body, places, feelings, doing): general talk, not any list's topic. */
export const EVERYDAY_WORDS = `afternoon airport apartment apple arm aunt autumn bag bath beach beard bedroom beer
bird birthday blanket boat bone boss bottle bowl breakfast bridge brother bus butter cake candle car carpet cat
chair cheese chicken childhood chocolate christmas cigarette circus cloth clothes cloud coat coffee cookie corn
cotton cousin cow cream cup curtain dance dancer desk dining dinner dish doctor doll door dress drink driver
ear egg elephant evening eye farm farmer feather finger fish floor flower fly fork friend fruit funeral
furniture garage garden gift girl glass glove grandfather grandmother grass guest hair hall hat heart hill
holiday honey hospital hotel hunger husband ice island jacket jungle kitchen knee knife lady lake leg lemon
lip lunch meat milk mirror monkey moon mountain mouth museum neck neighbour neighbor nose ocean orange
painting pants park party pen pencil picnic pig pizza plate pocket pond potato pub queen rain restaurant rice
river road roof room rose salad salt sand sandwich shirt shoe shoes shoulder sister skin sky sleep snow soup
spoon stomach storm stove sugar summer supper sweater table tea teeth throat toe tomato tooth towel toy train
tree trip truck uncle vacation vegetable waiter waitress wall wallet weather weekend wheel wine winter wood
yard zoo angry anxious ashamed beautiful bored brave calm cheerful confident cruel curious delighted
depressed disappointed eager embarrassed excited faithful foolish frightened generous gentle glad grateful
guilty happy honest hungry jealous kind lazy lonely lovely lucky nervous patient polite proud sad scared
selfish shy silly sorry tender thankful tired ugly upset wise worried ancient famous foreign holy human
married modern native northern southern eastern western royal rural urban wild adventure argument beauty
birth childhood conversation courage crowd custom dream enemy fashion fate festival fortune gossip grief
heaven honour humour instinct jealousy joy journey kindness laughter legend luxury marriage memory miracle
mood mystery myth nonsense opinion paradise pity poverty prejudice pride rumour sorrow superstition
temptation tragedy wisdom wonder worship youth`;

export type TopicFamily = 'technical' | 'general';

export interface Topic {
  id: string;
  /** How a reason names it: "… moved from {label} to {label}". */
  label: string;
  family: TopicFamily;
  words: string;
}

/** Broad topics. A list covers some of them (from its description and terms); the rest are off its topic. */
export const TOPICS: readonly Topic[] = [
  {
    id: 'computing', label: 'computing', family: 'technical',
    words: `computer computers software program programs file files directory folder system systems version
      versions install installed installation upgrade update updates release releases config configuration
      configure option options error errors bug bugs crash crashes fix fixed patch patches
      command commands default documentation manual readme faq support user users admin administrator server
      client database disk drive backup log logs output input format binary source download mirror site
      website web browser window windows desktop application app tool tools utility feature features
      script scripts interface gui cli menu button click screen display font fonts keyboard mouse printer
      memory cpu process processes thread performance test tests testing debug debugging compatible
      path variable environment startup boot reboot restart run running runs open source license gpl
      ソフト ソフトウェア ファイル ディレクトリ フォルダ インストール アップデート アップグレード バージョン
      設定 エラー バグ パッチ コマンド サーバ サーバー クライアント データベース ブラウザ ウィンドウ
      画面 表示 フォント 起動 再起動 動作 実行 環境 入力 出力 ツール 機能 ダウンロード 不具合 対応`,
  },
  {
    id: 'linux', label: 'Linux and packaging', family: 'technical',
    words: `linux unix gnu kernel kernels distro distribution distributions redhat red hat fedora debian
      ubuntu suse mandrake slackware gentoo bsd freebsd rpm rpms srpm spec specfile package packages
      packaging packager dependency dependencies repository repositories repo apt yum dpkg deb tarball
      tar gz bz2 glibc libc lib library libraries module modules driver drivers root sudo su
      shell bash csh zsh sh cron daemon init xinit xfree86 xorg x11 gnome kde window manager mount
      filesystem ext2 ext3 partition lilo grub chroot permission permissions chmod chown symlink
      /etc etc usr opt var tmp home proc dev rc inetd xinetd systemd service services emacs vi vim
      freshrpms rawhide i386 i686 x86 ppc sparc alpha build builds buildroot rebuild make makefile
      configure autoconf automake gcc compiler compile compiled compiling ld
      カーネル パッケージ ディストリビューション リポジトリ 依存 依存関係 シェル ドライバ モジュール
      コンパイル ビルド 権限 マウント パーティション デーモン`,
  },
  {
    id: 'programming', label: 'programming', family: 'technical',
    words: `code coding programmer programming language languages perl python ruby java javascript tcl tk
      php c++ lisp scheme haskell function functions method methods class classes object objects variable
      variables array arrays string strings integer regex regexp expression syntax parse parser parsing
      compile compiler interpreter runtime api library libraries module import export header headers
      struct pointer loop recursion algorithm implementation implement implemented refactor cvs svn git
      branch merge commit diff patch repository source sources debugger stack trace exception exceptions
      callback thread threads lock unicode utf encoding charset
      プログラム プログラミング コード 関数 変数 配列 文字列 正規表現 構文 ライブラリ 実装 言語 文字コード`,
  },
  {
    id: 'networking', label: 'networking', family: 'technical',
    words: `network networks networking internet ip tcp udp dns dhcp router routers routing firewall iptables
      ipchains nat proxy vpn ssh telnet ftp http https ssl tls port ports host hosts hostname domain
      domains ethernet wireless wifi lan wan modem dsl cable isp bandwidth latency packet packets ping
      traceroute gateway subnet interface interfaces nfs samba smb apache nginx squid bind
      ネットワーク インターネット ルータ ファイアウォール プロキシ ドメイン ホスト ポート 回線 接続`,
  },
  {
    id: 'email', label: 'e-mail', family: 'technical',
    words: `email e-mail mail mails mailbox mailboxes message messages inbox folder folders header headers
      subject sender recipient recipients reply replies smtp pop pop3 imap mta mua sendmail postfix qmail
      exim procmail fetchmail mutt pine elm exmh mh nmh mime attachment attachments spam spams spammer
      spammers ham filter filters filtering blacklist whitelist rbl razor bayes bayesian spamassassin
      score scores rule rules threshold quarantine virus viruses list lists mailing mailman majordomo
      digest unsubscribe subscribe newsletter
      メール メーリングリスト 添付 送信 受信 迷惑メール スパム フィルタ 件名 宛先`,
  },
  {
    id: 'hardware', label: 'hardware', family: 'technical',
    words: `hardware cpu processor motherboard bios ram memory disk disks harddisk ssd ide scsi sata usb
      firewire pci agp card cards video sound graphics nvidia ati intel amd athlon pentium laptop notebook
      monitor lcd cdrom cd dvd burner floppy scanner printer battery chipset controller raid
      ハードウェア ハード ディスク メモリ マザーボード ノートパソコン パソコン プリンタ ドライブ 電源`,
  },
  {
    id: 'security', label: 'computer security', family: 'technical',
    words: `security secure vulnerability vulnerabilities exploit exploits advisory cert cve password
      passwords encryption encrypt decrypt gpg pgp key keys certificate certificates signature signed
      authentication auth login logins account accounts hacker hackers cracker intrusion audit trojan worm
      rootkit malware backdoor
      セキュリティ 脆弱性 暗号 パスワード 認証 証明書`,
  },
  {
    id: 'politics', label: 'politics', family: 'general',
    words: `politics political politician politicians government governments president presidents
 administration congress senate senator senators parliament minister ministers election elections
 vote votes voter voters voting campaign candidate candidates democrat democrats democratic
 republican republicans conservative conservatives liberal liberals wing 
 legislation bureaucracy bureaucrat federal governance federation
 nation nationalism patriot patriotism citizen citizens constitution amendment 
 democracy dictatorship dictator tyranny regime communism communist socialism
 socialist capitalism capitalist fascism fascist anarchy anarchist anarchism marxist marxism
 ideology propaganda protest protests activist activists lobby lobbyist tax taxes taxation welfare
 immigration immigrant immigrants bush clinton gore reagan blair washington kremlin empire imperial
 sovereignty treaty diplomacy diplomat embassy coalition cooperative
 cooperatives collective stakeholder stakeholders
 政治 政府 政権 政党 選挙 投票 議会 国会 首相 大統領 民主主義 共産主義 社会主義 資本主義 憲法 法律 国家 国民
 税金 増税 外交 デモ 自民党 与党 野党 協同組合 組合`,
  },
  {
    id: 'economics', label: 'economics', family: 'general',
    words: `economy economies economic economics economist economists market markets capital capitalism
 trade trading tariff tariffs price prices pricing inflation deflation recession depression gdp
 wealth wealthy poverty poor rich income incomes wage wages salary labor labour worker workers
 employment unemployment industry industries corporation corporations corporate monopoly
 monopolies competition competitor competitors profit profits investment investor investors 
 shareholder dividend bank banks banking finance financial money
 currency dollar dollars euro yen debt deficit budget subsidy subsidies ownership
 privatization enterprise entrepreneurs firm firms consumer consumers enron worldcom accounting
 bankruptcy bubble speculation pension
 経済 市場 景気 不況 物価 インフレ デフレ 賃金 給料 労働 労働者 雇用 失業 企業 利益 投資 株 株価 銀行 金融
 通貨 円高 円安 借金 財政 予算 独占 競争 資本`,
  },
  {
    id: 'religion', label: 'religion', family: 'general',
    words: `religion religions religious god gods church churches christian christians christianity catholic
      protestant bible biblical jesus christ islam islamic muslim muslims quran koran mosque jewish jews
      judaism hindu hinduism buddhism buddhist faith belief believer believers atheist atheism pray prayer
      prayers worship sin sins heaven hell soul souls spiritual spirituality divine holy sacred priest
      pope clergy theology moral morality morals evil virtue virtues salvation creation creationism
      evolution miracle prophet scripture sermon virgin
      宗教 神 神様 教会 キリスト教 仏教 イスラム 信仰 信者 祈り 天国 地獄 魂 道徳`,
  },
  {
    id: 'relationships', label: 'relationships and dating', family: 'general',
    words: `dating boyfriend girlfriend husband husbands wife wives marriage marriages married
 marry wedding weddings divorce divorced spouse romance romantic love lover lovers sex sexual
 sexuality relationship relationships bride groom engagement
 affair flirt flirting attractive attraction kiss kissing bliss dowry matchmaker
 matchmaking personals intimacy virginity 
 恋愛 結婚 離婚 彼女 彼氏 夫婦 妻 夫 デート 恋人 家族 子供`,
  },
  {
    id: 'war', label: 'war and terrorism', family: 'general',
    words: `war wars warfare military army armies navy troops soldier soldiers weapon weapons nuke nukes
 nuclear bomb bombs bombing missile missiles invasion invade attack attacks terror terrorism terrorist
 terrorists qaeda laden taliban afghanistan iraq saddam hussein israel palestinian palestinians
 pentagon wtc hijack hijackers jihad genocide massacre casualties occupation ally allies
 battle combat veteran veterans homeland 
 戦争 軍 軍隊 兵器 核 爆弾 テロ テロリスト 攻撃 侵略 自衛隊 平和`,
  },
  {
    id: 'sports', label: 'sports', family: 'general',
    words: `sport sports football soccer baseball basketball hockey tennis golf cricket rugby olympics
 olympic championship tournament league player players coach 
 playoff playoffs stadium 
 スポーツ 野球 サッカー 試合 選手 優勝 オリンピック`,
  },
  {
    id: 'health', label: 'health and medicine', family: 'general',
    words: `health medical medicine doctor doctors hospital hospitals disease diseases
 illness cancer infection infectious vaccine vaccines epidemic pandemic drug drugs treatment
 therapy diet obesity smoking tobacco surgery nurse symptoms diagnosis 
 健康 医療 病院 医者 病気 がん 感染 ワクチン 治療 薬`,
  },
  {
    id: 'environment', label: 'climate and environment', family: 'general',
    words: `climate warming greenhouse carbon emissions emission environment environmental
 pollution ecology ecological species extinction dinosaur dinosaurs fossil fossils 
 solar nuclear forest forests ocean oceans kyoto epa
 環境 温暖化 気候 地球 汚染 排出 人口`,
  },
  {
    id: 'entertainment', label: 'films, music and TV', family: 'general',
    words: `movie movies film films cinema actor actress hollywood oscar music song songs 
 album concert singer tv television episode novel novels celebrity
 映画 音楽 ドラマ テレビ 番組 歌手 アニメ 漫画`,
  },
  {
    id: 'food', label: 'food and drink', family: 'general',
    words: `food foods restaurant restaurants diner diners dining dinner lunch breakfast meal meals cook
      cooking chef recipe recipes kitchen eat eating ate wine beer coffee tea drink drinks drinking bar bars
      pub cafe menu waiter waitress dessert cheese bread meat vegetarian vegan sushi pizza delicious
      taste flavor
      料理 食事 レストラン 飲み会 ビール ワイン 酒 ラーメン 寿司 美味しい`,
  },
  {
    id: 'law', label: 'law and courts', family: 'general',
    words: `court courts judge judges justice lawsuit lawsuits sue sued lawyer lawyers attorney jury
 verdict crime crimes criminal criminals police arrest arrested prison prisons jail 
 convicted guilty innocent amendment censorship constitutional supreme
 裁判 裁判所 判決 弁護士 警察 逮捕 犯罪 刑務所`,
  },
];
