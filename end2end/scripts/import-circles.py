#!/usr/bin/env python3
"""Import circles between modules of each crate (production code only).

Each crate's modules (and, in the named folders, each submodule) are nodes;
a `use` or path naming another module is an edge. Any cycle is printed and
fails the run. Run from the repository root."""
import os, re, sys
from collections import defaultdict

def expand(prefix, body):
    # body: text inside braces, possibly nested
    out=[]; depth=0; cur=''
    for ch in body:
        if ch=='{': depth+=1
        if ch=='}': depth-=1
        if ch==',' and depth==0:
            out.append(cur.strip()); cur=''
        else: cur+=ch
    if cur.strip(): out.append(cur.strip())
    paths=[]
    for item in out:
        m=re.match(r'^([\w:]*?)(::)?\{(.*)\}$', item, re.S)
        if m:
            p=(prefix+'::'+m.group(1)) if m.group(1) else prefix
            paths+=expand(p, m.group(3))
        else:
            item=item.split(' as ')[0].strip()
            paths.append(prefix+'::'+item if item else prefix)
    return paths

def module_of(root, path):
    rel=os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] in ('lib','main'): rel=rel[:-1]
    if rel and rel[-1]=='mod': rel=rel[:-1]
    return rel

def unit(mod, depth_map):
    # services/<x> and pages/<x>, api/<x>, components/<x> are units; others top-level
    if not mod: return 'crate'
    if mod[0] in depth_map and len(mod)>1: return '::'.join(mod[:2])
    return mod[0]

def is_test(path, text):
    b=os.path.basename(path)
    return b=='tests.rs' or b.endswith('_tests.rs') or '/tests/' in path

def strip_tests(text):
    # drop #[cfg(test)] mod tests { ... } blocks
    i=text.find('#[cfg(test)]\nmod tests {')
    return text if i<0 else text[:i]

def crate_graph(root, depth_map):
    edges=defaultdict(set)
    for d,_,files in os.walk(root):
        for f in files:
            if not f.endswith('.rs'): continue
            p=os.path.join(d,f)
            text=open(p).read()
            if is_test(p,text): continue
            text=strip_tests(text)
            text=re.sub(r'//.*','',text)
            mod=module_of(root,p)
            me=unit(mod,depth_map)
            paths=[]
            for m in re.finditer(r'\buse\s+([^;]+);', text, re.S):
                u=re.sub(r'\s+','',m.group(1))
                mm=re.match(r'^([\w:]*?)(::)?\{(.*)\}$',u)
                paths+= expand(mm.group(1),mm.group(3)) if mm else [u]
            paths+=re.findall(r'\b((?:crate|super)(?:::\w+)+)', text)
            is_modfile = os.path.basename(p) in ('mod.rs','lib.rs','main.rs')
            for path in paths:
                parts=path.split('::')
                if parts[0]=='crate': target=parts[1:]
                elif parts[0]=='super':
                    base=list(mod) if is_modfile else list(mod[:-1])
                    # each super goes one up from the file's module
                    base = list(mod)
                    while parts and parts[0]=='super':
                        base=base[:-1]; parts=parts[1:]
                    target=base+parts
                elif parts[0]=='self':
                    target=list(mod)+parts[1:]
                else: continue
                t=unit(target,depth_map)
                if t!=me and t!='crate': edges[me].add(t)
    return edges

def sccs(edges):
    index={}; low={}; st=[]; on=set(); res=[]; i=[0]
    nodes=set(edges)|{v for vs in edges.values() for v in vs}
    sys.setrecursionlimit(10000)
    def strong(v):
        index[v]=low[v]=i[0]; i[0]+=1; st.append(v); on.add(v)
        for w in edges.get(v,()):
            if w not in index: strong(w); low[v]=min(low[v],low[w])
            elif w in on: low[v]=min(low[v],index[w])
        if low[v]==index[v]:
            comp=[]
            while True:
                w=st.pop(); on.discard(w); comp.append(w)
                if w==v: break
            if len(comp)>1: res.append(sorted(comp))
    for v in sorted(nodes):
        if v not in index: strong(v)
    return res

if __name__=='__main__':
    crates={'app/shared/src':set(),'app/src':{'pages','api','components'},'server/core/src':{'services','db','mail','web'},'server/src':{'http','bench','pki'}}
    bad=0
    for root,dm in crates.items():
        g=crate_graph(root,dm)
        for comp in sccs(g):
            bad+=1
            print(f"{root}: circle between {', '.join(comp)}")
            for a in comp:
                for b in sorted(g[a]):
                    if b in comp: print(f"    {a} -> {b}")
    sys.exit(1 if bad else 0)
