"""Redis's partial quicksort (pqsort.c).

SORT with BY and LIMIT, and GEOSEARCH/GEORADIUS with COUNT, sort only the
window they will return. Elements that compare equal then come out in the
order this particular quicksort leaves them, which no stable sort
reproduces, so the same algorithm runs here on a Python list (indices stand
for the C's pointers). The full sorts are glibc's qsort, a stable merge sort
for these sizes, which is what Python's sorted() is.
"""


def med3(A, a, b, c, cmp):
    """Index of the median of A[a], A[b], A[c] (med3): the pivot choice."""
    if cmp(A[a], A[b]) < 0:
        if cmp(A[b], A[c]) < 0:
            return b
        return c if cmp(A[a], A[c]) < 0 else a
    if cmp(A[b], A[c]) > 0:
        return b
    return a if cmp(A[a], A[c]) < 0 else c


def vecswap(A, a, b, n):
    """Swap the runs A[a:a+n] and A[b:b+n] (the vecswap macro): moves the
    elements equal to the pivot from the ends to the middle."""
    for k in range(n):
        A[a + k], A[b + k] = A[b + k], A[a + k]


def _pqsort(A, a, n, cmp, lrange, rrange):
    """Sort A[a:a+n] enough that positions lrange..rrange hold their final items (_pqsort)."""
    while True:
        if n < 7:
            for pm in range(a + 1, a + n):
                pl = pm
                while pl > a and cmp(A[pl - 1], A[pl]) > 0:
                    A[pl], A[pl - 1] = A[pl - 1], A[pl]
                    pl -= 1
            return
        pm = a + n // 2
        if n > 7:
            pl = a
            pn = a + n - 1
            if n > 40:
                d = n // 8
                pl = med3(A, pl, pl + d, pl + 2 * d, cmp)
                pm = med3(A, pm - d, pm, pm + d, cmp)
                pn = med3(A, pn - 2 * d, pn - d, pn, cmp)
            pm = med3(A, pl, pm, pn, cmp)
        A[a], A[pm] = A[pm], A[a]
        pa = pb = a + 1
        pc = pd = a + n - 1
        while True:
            while pb <= pc:
                r = cmp(A[pb], A[a])
                if r > 0:
                    break
                if r == 0:
                    A[pa], A[pb] = A[pb], A[pa]
                    pa += 1
                pb += 1
            while pb <= pc:
                r = cmp(A[pc], A[a])
                if r < 0:
                    break
                if r == 0:
                    A[pc], A[pd] = A[pd], A[pc]
                    pd -= 1
                pc -= 1
            if pb > pc:
                break
            A[pb], A[pc] = A[pc], A[pb]
            pb += 1
            pc -= 1
        pn = a + n
        r = min(pa - a, pb - pa)
        vecswap(A, a, pb - r, r)
        r = min(pd - pc, pn - pd - 1)
        vecswap(A, pb, pn - r, r)
        r = pb - pa
        # The C compares byte addresses of the wanted range with each
        # partition; in element units "wholly left of" and "wholly right
        # of" become these integer tests.
        if r > 1 and not ((lrange < a and rrange < a) or (lrange >= a + r and rrange >= a + r)):
            _pqsort(A, a, r, cmp, lrange, rrange)
        r = pd - pc
        if r > 1:
            a = pn - r
            n = r
            if not ((lrange < a and rrange < a) or (lrange >= a + r and rrange >= a + r)):
                continue
        return


def pqsort(A, cmp, lrange, rrange):
    """Partially sort list A in place so that A[lrange..rrange] are in final order (pqsort)."""
    _pqsort(A, 0, len(A), cmp, lrange, rrange)
