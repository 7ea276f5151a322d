// The DNI snippet served at GET /dni/{tagCode}.js (pure; no dependencies in the browser).
//
// It keeps a first-party session id (cookie ccp_sid, localStorage fallback, 30 days), remembers
// the visit's UTM fields and click ids for the session, asks POST /api/dni/track for the visitor's
// number (2.5 s time-out) and swaps it into the elements matching the tag's selector: text keeps
// the page's punctuation, tel: links get the E.164 number. Any failure leaves the page untouched.
// Each value it posts is cut to the contract's length on a character boundary, control characters
// left out (c): the API refuses a NUL or half a surrogate pair, and one such value in the landing
// page's URL would cost the whole visit its number.
// Every value from the database is JSON-encoded with <, >, &, U+2028 and U+2029 escaped, so that
// neither a selector nor a code can end the script or inject code.

export interface SnippetConfig {
  tagCode: string;
  numberSelector: string;
  /** The absolute URL of POST /api/dni/track. */
  trackUrl: string;
}

/** What an unknown, inactive or malformed tag gets: a snippet that changes nothing. */
export const NOOP_SNIPPET = '/* CallCenter Pro DNI: no active tracking tag; the page keeps its own number. */\n(function(){})();\n';

/** JSON safe inside any JavaScript or HTML context. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'msclkid', 'ttclid', 'twclid', 'li_fat_id', 'clickid'];

// ES5, so that any browser runs it. C: the configuration; CI: the click id names remembered.
const BODY = `var w=window,d=document,K="ccp_sid",A="ccp_attr",S=/^[A-Za-z0-9_.:-]{1,128}$/,q={},a,i,p,U=["Source","Medium","Campaign","Term","Content"];
function g(k){try{return localStorage.getItem(k)}catch(e){}}
function s(k,v){try{localStorage.setItem(k,v)}catch(e){}}
function c(v,n){v=String(v).replace(/[\\u0000-\\u001f]/g,"");if(v.length>n){v=v.slice(0,n);if(/[\\ud800-\\udbff]$/.test(v))v=v.slice(0,-1)}return v}
var m=d.cookie.match(/(?:^|;\\s*)ccp_sid=([^;]*)/),sid=m&&m[1];
if(!(sid&&S.test(sid)))sid=g(K);
if(!(sid&&S.test(sid))){a=new Uint8Array(16);crypto.getRandomValues(a);sid="ccp_";for(i=0;i<16;i++)sid+=(a[i]+256).toString(16).slice(1)}
d.cookie=K+"="+sid+"; path=/; max-age=2592000; SameSite=Lax"+(location.protocol=="https:"?"; Secure":"");s(K,sid);
try{new URLSearchParams(location.search).forEach(function(v,k){if(v&&!(k in q))q[k]=v})}catch(e){}
try{a=JSON.parse(g(A))}catch(e){}
if(!a||a.sid!==sid)a={sid:sid};
var b={tagCode:C.t,sessionId:sid,url:c(location.href,2048),domain:c(location.hostname,255),userAgent:c(navigator.userAgent,512)},n={},f=0;
for(i=0;i<5;i++)if(p=q["utm_"+U[i].toLowerCase()]){n["utm"+U[i]]=c(p,255);f=1}
for(i=0;i<CI.length;i++)if(p=q[CI[i]]){n[CI[i]]=c(p,512);f=1}
if(f){n.sid=sid;a=n;s(A,JSON.stringify(a))}
if(d.referrer)b.referrer=c(d.referrer,2048);
for(i=0;i<5;i++)if(p=a["utm"+U[i]])b["utm"+U[i]]=c(p,255);
for(i=0,f={},m=0;i<CI.length;i++)if(p=a[CI[i]]){f[CI[i]]=c(p,512);m=1}
if(m)b.clickIds=f;
function F(t,e,f){var x=e.replace(/\\D/g,""),o=t.replace(/\\D/g,""),k=0;if(o.length!==x.length){if(o.length===x.length-1&&x[0]==="1")x=x.slice(1);else return f||e}return t.replace(/\\d/g,function(){return x[k++]})}
function W(r){var e=r.phoneNumber,L,j,x,l,t,T=[];try{L=d.querySelectorAll(C.s)}catch(er){return}
for(j=0;j<L.length;j++){x=L[j];l=[x].concat([].slice.call(x.querySelectorAll("a[href]")));
for(i=0;i<l.length;i++)if(/^tel:/i.test(l[i].getAttribute("href")))l[i].setAttribute("href","tel:"+e);
t=d.createTreeWalker(x,4,null);while(t.nextNode())T.push(t.currentNode)}
for(i=0;i<T.length;i++)T[i].nodeValue=T[i].nodeValue.replace(/\\+?\\d[\\d\\s().-]{5,}\\d/g,function(m){return F(m,e,r.formattedNumber)})}
var ac=w.AbortController&&new AbortController(),to=setTimeout(function(){to=0;ac&&ac.abort()},2500);
try{fetch(C.u,{method:"POST",mode:"cors",credentials:"omit",keepalive:true,headers:{"Content-Type":"application/json"},body:JSON.stringify(b),signal:ac?ac.signal:void 0}).then(function(r){if(r.status!==200)throw 0;return r.json()}).then(function(r){if(!to)return;clearTimeout(to);if(r&&/^\\+[1-9]\\d{6,14}$/.test(r.phoneNumber)){if(d.readyState==="loading")d.addEventListener("DOMContentLoaded",function(){W(r)});else W(r)}})["catch"](function(){})}catch(e){}`;

/** The snippet of an active tag. */
export function dniSnippet(config: SnippetConfig): string {
  const c = jsonForScript({ t: config.tagCode, s: config.numberSelector, u: config.trackUrl });
  return `/* CallCenter Pro DNI */\n(function(){"use strict";var C=${c},CI=${jsonForScript(CLICK_IDS)};\n${BODY}\n})();\n`;
}
