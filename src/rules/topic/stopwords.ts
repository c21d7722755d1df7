// Stopwords for topic tokens: English function words and mail chatter, and Japanese function words.

const EN = `a about above after again against all almost also although always am among an and another any anybody
anyone anything anyway anywhere are aren around as at away back be became because become been before being
below best better between both but by can cannot could couldn did didn do does doesn doing don done down during
each either else enough etc even ever every everyone everything few for from further get gets getting got gotten
had hadn has hasn have haven having he her here hers herself him himself his how however i ie eg if in into is
isn it its itself just least less let like likely ll made make makes many may maybe me might mine more most much
must my myself need needs neither never no nobody none nor not nothing now of off often oh ok okay on once one
ones only onto or other others otherwise our ours ourselves out over own per perhaps please quite rather re
really said same say says see seem seems seen shall she should shouldn since so some somebody someone something
sometimes somewhat still such sure than thank thanks that the their theirs them themselves then there these they
thing things this those though through thus till to too toward towards under until up upon us use used uses using
ve very via want wants was wasn way we well were weren what whatever when where whether which while who whoever
whole whom whose why will with within without won would wouldn yes yet you your yours yourself yourselves
also anyhow hi hello hey dear regards cheers best wrote writes write writing mail mailto http https www com org
net html htm cc fwd fw re lol btw imo imho fyi wrt yeah yep nope ah hmm um uh go going gone come comes came take
takes took know knows knew think thinks thought tell told try tried trying look looks looking find found give
gave given put puts keep kept seem seemed mean means meant first second last next new old good bad great lot lots
little big small long short right left sort kind bit part way time times day days today year years week
two three four five six seven ten hundred thousand am pm`;

const JA = `これ それ あれ どれ この その あの どの ここ そこ あそこ どこ こちら そちら こと もの ため よう さん
です ます でし まし ません でしょう ある いる する なる できる れる られる ない なく ので から まで けど けれど けれども
ところ という といった として について による により において に対して ありがとう ありがとうございます よろしく ください
ございます お願い お願いします 私 僕 俺 自分 皆さん 皆様 方 場合 今回 以下 以上 何か 何 思い 思う 思います 考え
今日 昨日 明日 本当 本当に 少し 多分 たぶん ちょっと とても もう まだ また やはり やっぱり 例えば 実は 一つ 一番 全部
以前 最近 今後 今 前 後 上 下 中 的 等 など 場所 時間 時 日 月 年 人 者 感じ 気 話 件 点 方法`;

const WORDS: ReadonlySet<string> = new Set([...EN.split(/\s+/), ...JA.split(/\s+/)].filter((w) => w.length > 0));

export function isStopword(word: string): boolean {
  return WORDS.has(word);
}
