/* A measurement, not part of ghgxl: how fast the two sheet passes of `ghgxl calc` run when
 * compiled. bench/floors.py --native builds this with the system C compiler into a temporary
 * folder, checks that it gives exactly what ghgxl gives (the patched sheet byte for byte, the
 * input values as calamine reads them) on the benchmark workbook, and times it.
 *
 * patch(xml, columns, positions, width, tails) -> bytes
 *     ghgxl.workbook.patch.patch_chunk's fast path: every formula cell matched by its
 *     _FORMULA_CELL pattern gets tails[column * width + position] (or the last tail when the
 *     cell is not in the block) in place of its type attribute and cached value.
 *     columns: 16385 bytes, sheet column number -> block column (255: none);
 *     positions: int64 per sheet row -> position in the block (-1: none).
 * read(xml, wanted, slots, first_row, last_row) -> list of lists
 *     the cells of the wanted columns (16385 bytes, column -> slot, 255: not wanted) in rows
 *     first_row..last_row: float for a number, str for an inline or typed string, "" when
 *     empty. Enough for the benchmark workbook (no shared strings, no entities), which is
 *     what is compared with calamine.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef struct { char *buf; Py_ssize_t len, cap; } Out;

static int put(Out *o, const char *p, Py_ssize_t n) {
    if (o->len + n > o->cap) {
        Py_ssize_t cap = o->cap * 2 + n;
        char *b = PyMem_Realloc(o->buf, cap);
        if (!b) return -1;
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return 0;
}

static int is_word(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Column letters (1-3) at p -> column number, -1 if none; *after: past them. */
static int column(const char *p, const char *end, const char **after) {
    int n = 0, k = 0;
    while (p < end && k < 3 && *p >= 'A' && *p <= 'Z') n = n * 26 + (*p++ - 'A' + 1), k++;
    *after = p;
    return k ? n : -1;
}

/* A quoted run of characters in [lo, hi] after `prefix` (e.g. ` s="`): past its quote, or p. */
static const char *optional_attr(const char *p, const char *end, const char *prefix, char lo, char hi) {
    if (end - p < 6 || memcmp(p, prefix, 4)) return p;
    const char *t = p + 4;
    while (t < end && *t >= lo && *t <= hi) t++;
    return (t > p + 4 && t < end && *t == '"') ? t + 1 : p;
}

/* The formula cell starting at s ('<c r="'), as _FORMULA_CELL matches it; 0 if not one. */
static int formula_cell(const char *s, const char *end, int *col, long *row, const char **head_end,
                        const char **rest, const char **formula_end, const char **cell_end) {
    const char *p;
    int c = column(s + 6, end, &p);
    long r = 0;
    int digits = 0;
    if (c < 0) return 0;
    while (p < end && digits < 7 && *p >= '0' && *p <= '9') r = r * 10 + (*p++ - '0'), digits++;
    if (!digits || p >= end || *p != '"') return 0;
    p = optional_attr(p + 1, end, " s=\"", '0', '9');
    *head_end = p;
    p = optional_attr(p, end, " t=\"", 'a', 'z');
    *rest = p;
    while (p < end && *p == ' ') { /* other attributes, never t= */
        const char *name = p + 1, *t = name;
        while (t < end && ((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || *t == ':')) t++;
        if (t == name || (t - name == 1 && *name == 't') || end - t < 2 || t[0] != '=' || t[1] != '"')
            return 0;
        t = memchr(t + 2, '"', end - t - 2);
        if (!t) return 0;
        p = t + 1;
    }
    if (end - p < 4 || memcmp(p, "><f", 3) || is_word(p[3])) return 0;
    const char *gt = memchr(p + 3, '>', end - p - 3);
    if (!gt) return 0;
    if (gt[-1] == '/') {
        p = gt + 1;
    } else {
        const char *lt = memchr(gt, '<', end - gt);
        if (!lt || end - lt < 4 || memcmp(lt, "</f>", 4)) return 0;
        p = lt + 4;
    }
    *formula_end = p;
    if (end - p >= 3 && !memcmp(p, "<v>", 3)) {
        const char *lt = memchr(p + 3, '<', end - p - 3);
        if (!lt || end - lt < 4 || memcmp(lt, "</v>", 4)) return 0;
        p = lt + 4;
    } else if (end - p >= 4 && !memcmp(p, "<v/>", 4)) {
        p += 4;
    }
    if (end - p < 4 || memcmp(p, "</c>", 4)) return 0;
    *cell_end = p + 4;
    *col = c;
    *row = r;
    return 1;
}

static PyObject *patch(PyObject *self, PyObject *args) {
    Py_buffer xml, cols, pos;
    Py_ssize_t width;
    PyObject *tails, *result = NULL;
    if (!PyArg_ParseTuple(args, "y*y*y*nO!", &xml, &cols, &pos, &width, &PyList_Type, &tails))
        return NULL;
    const char *s = xml.buf, *end = s + xml.len, *done = s, *p = s;
    const unsigned char *cmap = cols.buf;
    const long long *position = pos.buf;
    Py_ssize_t rows = pos.len / 8, count = PyList_GET_SIZE(tails);
    if (count == 0) {
        PyBuffer_Release(&xml);
        PyBuffer_Release(&cols);
        PyBuffer_Release(&pos);
        PyErr_SetString(PyExc_ValueError, "no tails");
        return NULL;
    }
    Out o = {PyMem_Malloc(xml.len + xml.len / 4 + 64), 0, xml.len + xml.len / 4 + 64};
    if (!o.buf) goto done;
    while ((p = memmem(p, end - p, "<c r=\"", 6)) != NULL) {
        int col;
        long row;
        const char *head_end, *rest, *formula_end, *cell_end;
        if (!formula_cell(p, end, &col, &row, &head_end, &rest, &formula_end, &cell_end)) {
            p += 6;
            continue;
        }
        Py_ssize_t index = count - 1;
        if (col < cols.len && cmap[col] != 255 && row < rows && position[row] >= 0)
            index = (Py_ssize_t)cmap[col] * width + position[row];
        if (index < 0 || index >= count) index = count - 1;
        PyObject *tail = PyList_GET_ITEM(tails, index);
        if (!PyBytes_Check(tail) || put(&o, done, head_end - done) ||
            put(&o, rest, formula_end - rest) ||
            put(&o, PyBytes_AS_STRING(tail), PyBytes_GET_SIZE(tail)))
            goto done;
        done = p = cell_end;
    }
    if (put(&o, done, end - done) == 0) result = PyBytes_FromStringAndSize(o.buf, o.len);
done:
    PyMem_Free(o.buf);
    PyBuffer_Release(&xml);
    PyBuffer_Release(&cols);
    PyBuffer_Release(&pos);
    if (!result && !PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "cannot patch");
    return result;
}

static PyObject *read_cells(PyObject *self, PyObject *args) {
    Py_buffer xml, want;
    int slots;
    long first, last;
    if (!PyArg_ParseTuple(args, "y*y*ill", &xml, &want, &slots, &first, &last)) return NULL;
    const unsigned char *wmap = want.buf;
    long rows = last - first + 1;
    PyObject *empty = PyUnicode_FromString(""), *out = PyList_New(slots);
    for (int i = 0; empty && out && i < slots; i++) {
        PyObject *list = PyList_New(rows);
        if (!list) {
            Py_CLEAR(out);
            break;
        }
        for (long r = 0; r < rows; r++) Py_INCREF(empty), PyList_SET_ITEM(list, r, empty);
        PyList_SET_ITEM(out, i, list);
    }
    if (!empty || !out) {
        Py_XDECREF(empty);
        Py_XDECREF(out);
        PyBuffer_Release(&xml);
        PyBuffer_Release(&want);
        return NULL;
    }
    const char *s = xml.buf, *end = s + xml.len, *p = s;
    while ((p = memmem(p, end - p, "<c r=\"", 6)) != NULL) {
        const char *q;
        int col = column(p + 6, end, &q);
        long row = 0;
        p += 6;
        if (col < 0 || col >= want.len || wmap[col] == 255 || wmap[col] >= slots) continue;
        while (q < end && *q >= '0' && *q <= '9' && row < 10000000) row = row * 10 + (*q++ - '0');
        if (row < first || row > last) continue;
        const char *tag_end = memchr(q, '>', end - q);
        if (!tag_end) break;
        if (tag_end[-1] == '/') continue;
        const char *type = memmem(q, tag_end - q, " t=\"", 4), *v0, *v1;
        char kind = type ? type[4] : 'n';
        PyObject *value;
        if (kind == 'i') { /* <is><t>text</t></is> */
            const char *t = memmem(tag_end, end - tag_end, "<t", 2);
            if (!t || !(v0 = memchr(t, '>', end - t))) break;
            v0++;
            if (!(v1 = memchr(v0, '<', end - v0))) break;
            value = PyUnicode_DecodeUTF8(v0, v1 - v0, "strict");
        } else {
            if (end - tag_end < 5 || memcmp(tag_end + 1, "<v>", 3)) continue;
            v0 = tag_end + 4;
            if (!(v1 = memchr(v0, '<', end - v0))) break;
            char number[64];
            Py_ssize_t n = v1 - v0;
            double d = -1.0;
            if (kind == 'n' && n < 64) {
                memcpy(number, v0, n);
                number[n] = 0;
                d = PyOS_string_to_double(number, NULL, NULL);
            }
            if (kind == 'n' && n < 64 && !PyErr_Occurred()) value = PyFloat_FromDouble(d);
            else PyErr_Clear(), value = PyUnicode_DecodeUTF8(v0, v1 - v0, "strict");
        }
        if (!value) {
            PyErr_Clear();
            continue;
        }
        PyObject *list = PyList_GET_ITEM(out, wmap[col]);
        Py_DECREF(PyList_GET_ITEM(list, row - first));
        PyList_SET_ITEM(list, row - first, value);
        p = v1;
    }
    Py_DECREF(empty);
    PyBuffer_Release(&xml);
    PyBuffer_Release(&want);
    return out;
}

static PyMethodDef methods[] = {
    {"patch", patch, METH_VARARGS, "the formula cells' cached values set"},
    {"read", read_cells, METH_VARARGS, "the cells of the wanted columns"},
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fastxl", NULL, -1, methods};
PyMODINIT_FUNC PyInit_fastxl(void) { return PyModule_Create(&module); }
