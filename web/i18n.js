// Chinese and English. The browser's language decides until the person picks one with the switch
// (kept in localStorage). Times are shown in the viewer's own zone (the browser's).

const STRINGS = {
  en: {
    switchTo: '中文',
    signOut: 'Sign out',
    alerts: 'Alerts',
    live: 'live',
    offline: 'reconnecting…',
    signingIn: 'Signing in…',
    signInFailed: 'This sign-in link did not work',
    notSignedIn: 'You are not signed in. Open the sign-in link that `npm start` printed, or ask an admin for one.',
    notFound: 'Page not found',
    askLink: 'Get a sign-in link by chat or email',
    memberId: 'Your member id or email',
    sendLink: 'Send me a link',
    linkRequested: 'If that member exists and chat or email can reach them, a sign-in link is on its way.',
    tooMany: 'Too many requests; try again in 15 minutes.',
    oidcButton: 'Sign in with your company account',
    oidcFailed: 'Single sign-on did not sign you in',
    oidcWhy: {
      'unknown-member': (who) => `Your identity provider says you are ${who}, but no dutybot member has that email. Ask an admin to add it to your member's email in dutybot's configuration.`,
      'no-claim': () => 'Your identity provider did not say who you are (the configured claim is missing from its answer). Ask an admin to check console.oidc.claim.',
      expired: () => 'This sign-in took too long or was opened twice. Start again.',
      denied: () => 'The identity provider did not let you through.',
      failed: () => 'dutybot could not complete the sign-in with the identity provider (its log says why). Try again, or ask an admin.',
    },
    backToAlerts: 'Back to the alerts',
    state: { open: 'Open (all)', triggered: 'Open', acknowledged: 'Claimed', resolved: 'Resolved', all: 'All' },
    severity: { critical: 'critical', warning: 'warning', info: 'info' },
    filterState: 'State',
    filterTeam: 'Team',
    anyTeam: 'All teams',
    more: 'Load more',
    none: 'No alerts',
    col: { id: '#', title: 'Title', severity: 'Severity', state: 'State', team: 'Team', owner: 'Owner', since: 'First seen' },
    owner: 'Owner',
    team: 'Team',
    count: 'Events',
    host: 'Host',
    service: 'Service',
    labels: 'Labels',
    links: 'Links',
    description: 'Description',
    mutedUntil: 'Muted until',
    timeline: 'Timeline',
    via: 'via',
    actions: 'Actions',
    action: { claim: 'Claim', resolve: 'Resolve', escalate: 'Escalate', reassign: 'Reassign', mute: 'Mute', unmute: 'Unmute', snooze: 'Snooze' },
    note: 'Note',
    reason: 'Reason',
    to: 'To',
    duration: 'Duration (e.g. 30m, 2h)',
    mayNotAct: 'You may view this alert, but only its teams may act on it.',
    done: 'Done',
    error: { 401: 'Not signed in', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict', 503: 'dutybot cannot reach its database; try again shortly' },
    runs: {
      title: 'Remediation',
      run: 'Run',
      running: 'Running…',
      confirm: 'confirm',
      last: 'Last run',
      approvals: (n, of, by) => `(${n}/${of} approvals${by.length ? `: ${by.join(', ')}` : ''})`,
      approved: (n, of) => `Approval recorded (${n}/${of}); it runs when ${of} members have approved.`,
    },
    routesNav: 'Route tester',
    routes: {
      title: 'Route tester', integration: 'Integration', payload: 'Payload, as the tool sends it (JSON)', test: 'Test', badJson: 'Not JSON',
      team: 'Teams', rules: 'Matched rules', fallback: "none: the integration's team", policy: 'Escalation policy', channels: 'Cards go to',
      rule: 'Rule', matchedCol: 'Matched', why: 'Why', noRules: 'No dispatch rules are configured.',
    },
    integNav: 'Integrations',
    integ: {
      title: 'Integrations', team: 'Team', url: 'Address', key: 'Key', counts: 'Events', lastEvent: 'Last event received', lastRejected: 'Last rejected', never: 'none yet',
      countsText: (a, r) => `${a} accepted, ${r} rejected`,
      showKey: 'Show key', hideKey: 'Hide key', test: 'Send a test alert', sent: 'Test alert sent:',
    },
    analyticsNav: 'Analytics',
    analytics: {
      title: 'Analytics', periodLabel: 'Period', periods: { '7d': 'Last 7 days', '30d': 'Last 30 days', custom: 'From – until' }, from: 'From', until: 'Until (inclusive)',
      byLabel: 'Per', by: { team: 'team', application: 'application', member: 'member' }, show: 'Show', allTeams: 'All teams',
      period: (from, to, zone, team) => `${team}: alerts opened from ${from} to ${to} (${zone}), as things stood at the end.`,
      csv: 'Download CSV', figures: { team: 'Figures per team', application: 'Figures per application', member: 'Figures per member' }, noAlerts: 'No alerts in this period.',
      definitions: 'Time to detect: from the problem’s start (as the source says) to dutybot receiving it. Time to claim: from receipt to the first claim. Time to resolve: from the problem’s start to its end (or to the resolve). Means and 90th percentiles; the same definitions as the REST API (docs/analytics.md).',
      perDay: 'Per day', perDayTable: 'The charts’ numbers per day', alertsPerDay: (zone) => `Alerts opened per day (days in ${zone})`, timesPerDay: 'Mean time to detect, claim and resolve of each day’s alerts, in minutes',
      minutes: (m) => `${m} min`, noisiest: 'Noisiest alerts',
      col: { team: 'Team', application: 'Application', member: 'Member', day: 'Day', opened: 'Opened', claimed: 'Claimed', resolved: 'Resolved', openAtEnd: 'Open at end', escalated: 'Escalated', offHours: 'Off hours',
        mttd: 'Time to detect', mttdP90: 'Detect p90', mtta: 'Time to claim', mttaP90: 'Claim p90', mttr: 'Time to resolve', mttrP90: 'Resolve p90',
        claims: 'Claims', resolves: 'Resolves', offHoursClaims: 'Off-hours claims', pages: 'Pages', nightPages: 'Pages at night', hoursOnCall: 'Hours on call', title: 'Title', integration: 'Integration', alerts: 'Alerts', events: 'Events' },
    },
    configNav: 'Configuration',
    config: { title: 'Effective configuration', intro: 'The configuration dutybot is running with, every default filled in. Keys, tokens, passwords and the credentials in URLs are masked (••••••).' },
    hbNav: 'Heartbeats',
    hb: {
      title: 'Heartbeats', none: 'No heartbeats are configured (heartbeats:).', name: 'Name', team: 'Team', state: 'State', last: 'Last ping', every: 'Every',
      states: { up: 'up', down: 'missing', paused: 'paused', disabled: 'disabled' }, never: 'never', pause: 'Pause',
      until: (time, by) => `until ${time}${by ? ` (${by})` : ''}`, since: (time) => `alert since ${time}`, paused: (n) => `Heartbeat ${n} paused.`,
    },
    maintNav: 'Maintenance',
    maint: {
      title: 'Maintenance windows', create: 'Open a window', open: 'Open and scheduled', ended: 'Ended in the last 7 days', none: 'None.',
      id: 'Id', what: 'Matches', from: 'From', to: 'Until', reason: 'Reason', by: 'By', end: 'End now',
      matchers: 'Matchers', all: 'all alerts', duration: 'Duration', submit: 'Open',
      needsMatcher: 'Write matchers (host=web-1 …) or tick "all alerts".',
      wouldHold: (n) => (n === 1 ? 'It would hold 1 open alert:' : `It would hold ${n} open alerts:`),
      created: (id) => `Window ${id} opened.`,
      endedOk: (id) => `Window ${id} ended.`,
    },
    onCallNav: 'On call',
    statusNav: 'Status',
    status: { title: 'dutybot status', ready: 'ready', notReady: 'not ready', checks: 'Checks', check: 'Check', state: 'State', detail: 'Detail', ok: 'ok', failing: 'failing', figures: 'Figures', outboxStuck: 'Messages stuck past due', database: 'Database', consoles: 'Consoles watching live', uptime: 'Up for' },
    oncall: {
      title: 'On call now', none: 'No on-call schedules are configured.', schedule: 'Schedule', now: 'Now', next: 'Next', cover: 'cover', nobody: 'nobody',
      calendar: (name) => `${name}: the next two weeks`, from: 'From', to: 'Until', who: 'On call',
      coverBy: 'Cover by', fromLabel: 'From (empty: now)', duration: 'For', addCover: 'Add cover', covered: 'Cover added.',
      covers: 'Covers', madeBy: 'Made by', remove: 'Remove', actions: 'Actions', removed: 'Cover removed.', noCovers: 'No covers ahead.',
    },
    kind: { opened: 'opened', received: 'received', claimed: 'claimed', resolved: 'resolved', reassigned: 'reassigned', escalated: 'escalated', muted: 'muted', unmuted: 'unmuted', reopened: 'reopened', snoozed: 'snoozed', maintenance: 'maintenance', note: 'note' },
  },
  zh: {
    switchTo: 'English',
    signOut: '退出',
    alerts: '告警',
    live: '实时',
    offline: '正在重连…',
    signingIn: '正在登录…',
    signInFailed: '这个登录链接无效',
    notSignedIn: '尚未登录。请打开 `npm start` 打印的登录链接，或向管理员索取。',
    notFound: '页面不存在',
    askLink: '通过聊天或邮件获取登录链接',
    memberId: '你的成员 ID 或邮箱',
    sendLink: '发给我',
    linkRequested: '如果该成员存在且能通过聊天或邮件联系到，登录链接已发出。',
    tooMany: '请求过多，请 15 分钟后再试。',
    oidcButton: '用公司账号登录',
    oidcFailed: '单点登录未能让你登录',
    oidcWhy: {
      'unknown-member': (who) => `身份提供方说你是 ${who}，但 dutybot 没有这个邮箱的成员。请管理员在 dutybot 配置里把它填到你的成员 email。`,
      'no-claim': () => '身份提供方没有说明你是谁（它的应答里没有配置的 claim）。请管理员检查 console.oidc.claim。',
      expired: () => '这次登录耗时过长，或被打开了两次。请重新开始。',
      denied: () => '身份提供方没有放行。',
      failed: () => 'dutybot 未能与身份提供方完成登录（原因见日志）。请重试，或联系管理员。',
    },
    backToAlerts: '返回告警列表',
    state: { open: '未关闭（全部）', triggered: '待认领', acknowledged: '已认领', resolved: '已关闭', all: '全部' },
    severity: { critical: '严重', warning: '警告', info: '提示' },
    filterState: '状态',
    filterTeam: '团队',
    anyTeam: '所有团队',
    more: '加载更多',
    none: '没有告警',
    col: { id: '#', title: '标题', severity: '级别', state: '状态', team: '团队', owner: '认领人', since: '首次出现' },
    owner: '认领人',
    team: '团队',
    count: '事件数',
    host: '主机',
    service: '服务',
    labels: '标签',
    links: '链接',
    description: '描述',
    mutedUntil: '静默至',
    timeline: '时间线',
    via: '来自',
    actions: '操作',
    action: { claim: '认领', resolve: '关闭', escalate: '升级', reassign: '转派', mute: '静默', unmute: '取消静默', snooze: '延后' },
    note: '备注',
    reason: '原因',
    to: '转派给',
    duration: '时长（如 30m、2h）',
    mayNotAct: '你可以查看此告警，但只有它所属团队的成员可以处理。',
    done: '已完成',
    error: { 401: '尚未登录', 403: '没有权限', 404: '不存在', 409: '冲突', 503: 'dutybot 暂时连不上数据库，请稍后再试' },
    runs: {
      title: '处置动作',
      run: '执行',
      running: '执行中…',
      confirm: '确认执行',
      last: '上次执行',
      approvals: (n, of, by) => `（已批准 ${n}/${of}${by.length ? `：${by.join('、')}` : ''}）`,
      approved: (n, of) => `已记录批准（${n}/${of}），满 ${of} 人批准后执行。`,
    },
    routesNav: '路由测试',
    routes: {
      title: '路由测试', integration: '接入', payload: '告警内容（工具发送的原始 JSON）', test: '测试', badJson: '不是合法的 JSON',
      team: '团队', rules: '命中的规则', fallback: '无：使用接入所属团队', policy: '升级策略', channels: '卡片发往',
      rule: '规则', matchedCol: '命中', why: '原因', noRules: '没有配置分派规则。',
    },
    integNav: '接入',
    integ: {
      title: '告警接入', team: '团队', url: '地址', key: '密钥', counts: '事件', lastEvent: '最近收到', lastRejected: '最近拒绝', never: '尚未收到',
      countsText: (a, r) => `接收 ${a}，拒绝 ${r}`,
      showKey: '显示密钥', hideKey: '隐藏密钥', test: '发送测试告警', sent: '测试告警已发送：',
    },
    analyticsNav: '统计',
    analytics: {
      title: '统计分析', periodLabel: '时间段', periods: { '7d': '最近 7 天', '30d': '最近 30 天', custom: '自定义起止' }, from: '开始', until: '结束（含当天）',
      byLabel: '按', by: { team: '团队', application: '应用', member: '成员' }, show: '查看', allTeams: '所有团队',
      period: (from, to, zone, team) => `${team}：${from} 至 ${to}（${zone}）期间创建的告警，按期末的状态统计。`,
      csv: '下载 CSV', figures: { team: '按团队', application: '按应用', member: '按成员' }, noAlerts: '这段时间没有告警。',
      definitions: '发现时长：从告警源报告的故障开始到 dutybot 收到。认领时长：从收到到首次认领。解决时长：从故障开始到故障结束（或被关闭）。均为平均值和 90 分位，与 REST API 定义相同（docs/analytics.md）。',
      perDay: '每天', perDayTable: '图表的逐日数据', alertsPerDay: (zone) => `每天创建的告警数（按 ${zone} 的日期）`, timesPerDay: '每天告警的平均发现、认领、解决时长（分钟）',
      minutes: (m) => `${m} 分钟`, noisiest: '最吵的告警',
      col: { team: '团队', application: '应用', member: '成员', day: '日期', opened: '创建', claimed: '已认领', resolved: '已关闭', openAtEnd: '期末未关闭', escalated: '已升级', offHours: '非工作时间',
        mttd: '发现时长', mttdP90: '发现 P90', mtta: '认领时长', mttaP90: '认领 P90', mttr: '解决时长', mttrP90: '解决 P90',
        claims: '认领数', resolves: '关闭数', offHoursClaims: '非工作时间认领', pages: '被呼叫', nightPages: '夜间被呼叫', hoursOnCall: '值班小时', title: '标题', integration: '接入', alerts: '告警数', events: '事件数' },
    },
    configNav: '配置',
    config: { title: '当前生效的配置', intro: 'dutybot 正在使用的配置，已填入所有默认值。密钥、令牌、密码和 URL 中的凭据均已隐藏（••••••）。' },
    hbNav: '心跳',
    hb: {
      title: '心跳', none: '没有配置心跳（heartbeats:）。', name: '名称', team: '团队', state: '状态', last: '上次心跳', every: '间隔',
      states: { up: '正常', down: '丢失', paused: '暂停', disabled: '停用' }, never: '从未', pause: '暂停',
      until: (time, by) => `至 ${time}${by ? `（${by}）` : ''}`, since: (time) => `自 ${time} 告警`, paused: (n) => `心跳 ${n} 已暂停。`,
    },
    maintNav: '维护',
    maint: {
      title: '维护窗口', create: '新建维护窗口', open: '进行中和计划中', ended: '最近 7 天结束的', none: '无。',
      id: '编号', what: '匹配', from: '开始', to: '结束', reason: '原因', by: '创建人', end: '立即结束',
      matchers: '匹配条件', all: '全部告警', duration: '时长', submit: '开始',
      needsMatcher: '请填写匹配条件（如 host=web-1），或勾选“全部告警”。',
      wouldHold: (n) => `将屏蔽 ${n} 条未关闭的告警：`,
      created: (id) => `维护窗口 ${id} 已开始。`,
      endedOk: (id) => `维护窗口 ${id} 已结束。`,
    },
    onCallNav: '值班',
    statusNav: '状态',
    status: { title: 'dutybot 运行状态', ready: '就绪', notReady: '未就绪', checks: '检查项', check: '检查', state: '状态', detail: '详情', ok: '正常', failing: '异常', figures: '数据', outboxStuck: '超时未发出的消息', database: '数据库', consoles: '实时在线的控制台', uptime: '已运行' },
    oncall: {
      title: '当前值班', none: '还没有配置值班表。', schedule: '值班表', now: '当前', next: '下一班', cover: '代班', nobody: '无人',
      calendar: (name) => `${name}：未来两周`, from: '开始', to: '结束', who: '值班人',
      coverBy: '代班人', fromLabel: '开始（留空为现在）', duration: '时长', addCover: '安排代班', covered: '已安排代班。',
      covers: '代班', madeBy: '安排人', remove: '取消', actions: '操作', removed: '已取消代班。', noCovers: '没有未结束的代班。',
    },
    kind: { opened: '创建', received: '收到', claimed: '认领', resolved: '关闭', reassigned: '转派', escalated: '升级', muted: '静默', unmuted: '取消静默', reopened: '重新打开', snoozed: '延后', maintenance: '维护', note: '备注' },
  },
};

const KEY = 'dutybot.lang';

function initial() {
  const saved = localStorage.getItem(KEY);
  if (saved === 'zh' || saved === 'en') return saved;
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language ?? 'en'];
  return /^zh\b/i.test(langs[0] ?? '') ? 'zh' : 'en';
}

let lang = initial();

export const locale = () => lang;
export const t = () => STRINGS[lang];

export function setLocale(l) {
  lang = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

/** A time in the viewer's zone (or `timeZone`), with the date when it is not today. */
export function formatTime(iso, timeZone) {
  if (!iso) return '';
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    ...(sameDay ? {} : { year: 'numeric', month: '2-digit', day: '2-digit' }),
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(d);
}

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "17:00 (09:00 Asia/Shanghai)": the viewer's time, and the team's where its zone differs. */
export function formatTimeWithTeam(iso, teamZone) {
  const own = formatTime(iso);
  if (!teamZone || teamZone === viewerZone()) return own;
  try {
    return `${own} (${formatTime(iso, teamZone)} ${teamZone})`;
  } catch {
    return own;
  }
}

/** A duration in seconds as people read it (`4m 30s`, `1h 05m`; `4分30秒`); `—` for none. */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const u = lang === 'zh' ? { d: '天', h: '小时', m: '分', s: '秒', sep: '' } : { d: 'd', h: 'h', m: 'm', s: 's', sep: ' ' };
  const pad = (n) => String(n).padStart(2, '0');
  const d = Math.floor(seconds / 86_400);
  const hr = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d) return `${d}${u.d}${u.sep}${hr}${u.h}`;
  if (hr) return `${hr}${u.h}${u.sep}${pad(m)}${u.m}`;
  if (m) return `${m}${u.m}${u.sep}${pad(s)}${u.s}`;
  return `${s}${u.s}`;
}

/** An API error as one line in the viewer's language, with the server's reason. */
export function errorText(err) {
  const head = t().error[err.status];
  return head ? `${head}: ${err.message}` : err.message;
}
