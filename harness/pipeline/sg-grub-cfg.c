#include "sg-grub-cfg.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds for what a config can make this reader do: real ISO configs read
 * a handful of files and run a few hundred commands. */
#define MAX_FILES 32
#define MAX_DEPTH 8
#define MAX_STEPS 100000
#define MAX_CONFIG_BYTES (1024 * 1024)

/* ---- Parsing: GRUB's script syntax (grub-core/script/yylex.l, parser.y) */

typedef enum {
	TOK_WORD,
	TOK_NEWLINE,
	TOK_SEMI,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_EOF,
} TokenKind;

typedef struct {
	TokenKind kind;
	gsize start;
	gsize end;
} Token;

typedef enum {
	NODE_COMMAND,
	NODE_IF,
	NODE_BLOCK, /* menuentry, submenu, or any command given a { block } */
	NODE_FUNCTION,
	NODE_LOOP,
} NodeKind;

typedef struct _Node Node;
struct _Node {
	NodeKind kind;
	GPtrArray *words; /* gchar*, as written (quotes and $ kept) */
	gsize start;
	gsize end;
	gsize block_start; /* the text between { and } */
	gsize block_end;
	GPtrArray *body;     /* Node* */
	GPtrArray *conds;    /* GPtrArray* of Node*: if and each elif */
	GPtrArray *branches; /* GPtrArray* of Node* */
	GPtrArray *otherwise;
};

/* A parsed file: its text outlives its nodes' offsets. */
typedef struct {
	gchar *name; /* "(cd0)/boot/grub/grub.cfg" */
	gchar *text;
	gsize len;
	GPtrArray *nodes;
} Script;

typedef struct {
	const gchar *text;
	gsize len;
	gsize pos;
	gchar *error; /* the first syntax error */
} Parser;

static void
node_free(Node *node)
{
	if (node == NULL)
		return;
	g_clear_pointer(&node->words, g_ptr_array_unref);
	g_clear_pointer(&node->body, g_ptr_array_unref);
	g_clear_pointer(&node->conds, g_ptr_array_unref);
	g_clear_pointer(&node->branches, g_ptr_array_unref);
	g_clear_pointer(&node->otherwise, g_ptr_array_unref);
	g_free(node);
}

static GPtrArray *
node_list_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)node_free);
}

static void
script_free(Script *script)
{
	g_free(script->name);
	g_free(script->text);
	if (script->nodes != NULL)
		g_ptr_array_unref(script->nodes);
	g_free(script);
}

static gboolean
is_delimiter(gchar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '\0';
}

static guint
line_of(const Parser *p, gsize offset)
{
	guint line = 1;
	for (gsize i = 0; i < offset && i < p->len; i++)
		line += p->text[i] == '\n';
	return line;
}

static void
syntax_error(Parser *p, gsize at, const gchar *what)
{
	if (p->error == NULL)
		p->error = g_strdup_printf("line %u: %s", line_of(p, at), what);
}

static Token
next_token(Parser *p)
{
	const gchar *t = p->text;
	Token token = {TOK_EOF, p->len, p->len};

	for (;;) {
		while (p->pos < p->len &&
		       (t[p->pos] == ' ' || t[p->pos] == '\t' || t[p->pos] == '\r'))
			p->pos++;
		if (p->pos + 1 < p->len && t[p->pos] == '\\' && t[p->pos + 1] == '\n') {
			p->pos += 2;
			continue;
		}
		if (p->pos < p->len && t[p->pos] == '#') {
			while (p->pos < p->len && t[p->pos] != '\n')
				p->pos++;
			continue;
		}
		break;
	}
	if (p->pos >= p->len)
		return token;
	token.start = p->pos;
	switch (t[p->pos]) {
	case '\n':
		token.kind = TOK_NEWLINE;
		token.end = ++p->pos;
		return token;
	case ';':
		token.kind = TOK_SEMI;
		token.end = ++p->pos;
		return token;
	case '}':
		token.kind = TOK_RBRACE;
		token.end = ++p->pos;
		return token;
	case '{':
		if (p->pos + 1 >= p->len || is_delimiter(t[p->pos + 1])) {
			token.kind = TOK_LBRACE;
			token.end = ++p->pos;
			return token;
		}
		break;
	default:
		break;
	}
	token.kind = TOK_WORD;
	while (p->pos < p->len && !is_delimiter(t[p->pos]) && t[p->pos] != '}') {
		gchar c = t[p->pos];
		if (c == '\\') {
			p->pos = MIN(p->pos + 2, p->len);
		} else if (c == '\'') {
			const gchar *close = memchr(t + p->pos + 1, '\'', p->len - p->pos - 1);
			if (close == NULL)
				syntax_error(p, p->pos, "unterminated ' quote");
			p->pos = close != NULL ? (gsize)(close - t) + 1 : p->len;
		} else if (c == '"') {
			p->pos++;
			while (p->pos < p->len && t[p->pos] != '"')
				p->pos += t[p->pos] == '\\' ? 2 : 1;
			if (p->pos >= p->len)
				syntax_error(p, token.start, "unterminated \" quote");
			p->pos = MIN(p->pos + 1, p->len);
		} else if (c == '$' && p->pos + 1 < p->len && t[p->pos + 1] == '{') {
			const gchar *close = memchr(t + p->pos, '}', p->len - p->pos);
			p->pos = close != NULL ? (gsize)(close - t) + 1 : p->len;
		} else {
			p->pos++;
		}
	}
	token.end = p->pos;
	return token;
}

static Token
peek_token(Parser *p)
{
	gsize saved = p->pos;
	Token token = next_token(p);
	p->pos = saved;
	return token;
}

static gboolean
token_is(const Parser *p, Token token, const gchar *word)
{
	gsize len = strlen(word);
	return token.kind == TOK_WORD && token.end - token.start == len &&
	       memcmp(p->text + token.start, word, len) == 0;
}

static gboolean
token_in(const Parser *p, Token token, const gchar *const *words)
{
	for (guint i = 0; words != NULL && words[i] != NULL; i++)
		if (token_is(p, token, words[i]))
			return TRUE;
	return FALSE;
}

static GPtrArray *parse_list(Parser *p, const gchar *const *stops);

static void
skip_separators(Parser *p)
{
	Token token;
	while ((token = peek_token(p)).kind == TOK_NEWLINE || token.kind == TOK_SEMI)
		next_token(p);
}

/* Consumes the keyword @word at command position, or records an error. */
static gboolean
expect_word(Parser *p, const gchar *word)
{
	Token token;
	skip_separators(p);
	token = next_token(p);
	if (!token_is(p, token, word)) {
		g_autofree gchar *message = g_strdup_printf("'%s' expected", word);
		syntax_error(p, token.start, message);
		return FALSE;
	}
	return TRUE;
}

/* { list } after a command; @node gets its block's offsets and body. */
static gboolean
parse_block(Parser *p, Node *node)
{
	static const gchar *const none[] = {NULL};
	Token open = next_token(p), close;

	node->block_start = open.end;
	node->body = parse_list(p, none);
	skip_separators(p);
	close = next_token(p);
	if (close.kind != TOK_RBRACE) {
		syntax_error(p, open.start, "'{' without its '}'");
		return FALSE;
	}
	node->block_end = close.start;
	node->end = close.end;
	return TRUE;
}

static Node *
parse_if(Parser *p, Token first)
{
	static const gchar *const then_stop[] = {"then", NULL};
	static const gchar *const body_stop[] = {"elif", "else", "fi", NULL};
	static const gchar *const else_stop[] = {"fi", NULL};
	Node *node = g_new0(Node, 1);

	node->kind = NODE_IF;
	node->start = first.start;
	node->conds = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	node->branches = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	for (;;) {
		Token token;
		g_ptr_array_add(node->conds, parse_list(p, then_stop));
		if (!expect_word(p, "then"))
			return node;
		g_ptr_array_add(node->branches, parse_list(p, body_stop));
		skip_separators(p);
		token = next_token(p);
		if (token_is(p, token, "elif"))
			continue;
		if (token_is(p, token, "else")) {
			node->otherwise = parse_list(p, else_stop);
			expect_word(p, "fi");
		} else if (!token_is(p, token, "fi")) {
			syntax_error(p, first.start, "'if' without its 'fi'");
		}
		node->end = p->pos;
		return node;
	}
}

static Node *
parse_command(Parser *p)
{
	static const gchar *const do_stop[] = {"do", NULL};
	static const gchar *const done_stop[] = {"done", NULL};
	Token first = next_token(p), token;
	Node *node;

	if (token_is(p, first, "if"))
		return parse_if(p, first);
	node = g_new0(Node, 1);
	node->start = first.start;
	node->end = first.end;
	node->words = g_ptr_array_new_with_free_func(g_free);
	if (token_is(p, first, "for") || token_is(p, first, "while") ||
	    token_is(p, first, "until")) {
		node->kind = NODE_LOOP;
		node->body = parse_list(p, do_stop);
		g_ptr_array_unref(node->body);
		if (expect_word(p, "do")) {
			node->body = parse_list(p, done_stop);
			expect_word(p, "done");
		} else {
			node->body = node_list_new();
		}
		node->end = p->pos;
		return node;
	}
	if (token_is(p, first, "function")) {
		Token name = next_token(p);
		node->kind = NODE_FUNCTION;
		g_ptr_array_add(node->words,
				g_strndup(p->text + name.start, name.end - name.start));
		skip_separators(p);
		if (peek_token(p).kind != TOK_LBRACE)
			syntax_error(p, first.start, "'function' without a '{' block");
		else
			parse_block(p, node);
		return node;
	}
	node->kind = NODE_COMMAND;
	g_ptr_array_add(node->words, g_strndup(p->text + first.start, first.end - first.start));
	while ((token = peek_token(p)).kind == TOK_WORD) {
		next_token(p);
		g_ptr_array_add(node->words,
				g_strndup(p->text + token.start, token.end - token.start));
		node->end = token.end;
	}
	if (token.kind == TOK_LBRACE) {
		node->kind = NODE_BLOCK;
		parse_block(p, node);
	}
	return node;
}

static GPtrArray *
parse_list(Parser *p, const gchar *const *stops)
{
	GPtrArray *nodes = node_list_new();

	for (;;) {
		Token token;
		skip_separators(p);
		token = peek_token(p);
		if (token.kind == TOK_EOF || token.kind == TOK_RBRACE || token_in(p, token, stops))
			return nodes;
		if (token.kind == TOK_LBRACE) {
			next_token(p);
			syntax_error(p, token.start, "unexpected '{'");
			continue;
		}
		g_ptr_array_add(nodes, parse_command(p));
		if (p->error != NULL)
			return nodes;
	}
}

/* ---- Evaluation */

typedef enum {
	RESULT_FALSE,
	RESULT_TRUE,
	RESULT_UNKNOWN,
} Result;

typedef struct {
	gchar *value; /* NULL: set to something that cannot be known here */
	gboolean certain;
} Var;

typedef struct _MenuItem MenuItem;
struct _MenuItem {
	gchar *title;
	gchar *id;
	gboolean hidden;
	gboolean submenu;
	GPtrArray *children; /* MenuItem* */
	gint entry;	     /* index in loader->entries, -1 for a submenu */
};

/* What the body of the menu entry being read does. */
typedef struct {
	SgBootEntry *entry;
	const Script *script;
	const Node *menu_node;
	const Node *linux_node;
} EntryRun;

typedef struct {
	SgBootMedia *media;
	SgBootLoader *loader;
	const SgGrubStart *start;
	GHashTable *env;       /* name -> Var* */
	GHashTable *exported;  /* name -> name */
	GHashTable *functions; /* name -> Node* */
	GPtrArray *scripts;    /* Script*, alive as long as their nodes are used */
	GStrv positional;
	MenuItem *menu;	      /* the menu being built */
	MenuItem *current;    /* the (sub)menu entries are added to */
	GPtrArray *titles;    /* submenu titles down to current */
	const Script *script; /* the file being run */
	EntryRun *entry;      /* non-NULL while a menu entry's body runs */
	gboolean maybe;	      /* inside a branch that may not run */
	gboolean replaced;    /* configfile/normal took over: the rest does not run */
	guint depth;
	guint steps;
	GHashTable *noted; /* notes given once */
} Eval;

static void
var_free(Var *var)
{
	g_free(var->value);
	g_free(var);
}

static void
menu_item_free(MenuItem *item)
{
	g_free(item->title);
	g_free(item->id);
	if (item->children != NULL)
		g_ptr_array_unref(item->children);
	g_free(item);
}

static MenuItem *
menu_new(void)
{
	MenuItem *menu = g_new0(MenuItem, 1);
	menu->submenu = TRUE;
	menu->entry = -1;
	menu->children = g_ptr_array_new_with_free_func((GDestroyNotify)menu_item_free);
	return menu;
}

static void note(Eval *e, const gchar *format, ...) G_GNUC_PRINTF(2, 3);

static void
note(Eval *e, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *text = NULL;

	va_start(args, format);
	text = g_strdup_vprintf(format, args);
	va_end(args);
	if (g_hash_table_contains(e->noted, text))
		return;
	g_hash_table_add(e->noted, g_strdup(text));
	g_ptr_array_add(e->loader->notes, g_strconcat("GRUB: ", text, NULL));
}

static const Var *
get_var(Eval *e, const gchar *name)
{
	return g_hash_table_lookup(e->env, name);
}

static void
set_var(Eval *e, const gchar *name, const gchar *value, gboolean known)
{
	Var *var = g_new0(Var, 1);
	var->value = known ? g_strdup(value) : NULL;
	var->certain = !e->maybe && known;
	g_hash_table_replace(e->env, g_strdup(name), var);
}

static GHashTable *
env_copy(GHashTable *env)
{
	GHashTable *copy =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)var_free);
	GHashTableIter iter;
	gpointer key, value;

	g_hash_table_iter_init(&iter, env);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const Var *var = value;
		Var *dup = g_new0(Var, 1);
		dup->value = g_strdup(var->value);
		dup->certain = var->certain;
		g_hash_table_insert(copy, g_strdup(key), dup);
	}
	return copy;
}

/* Expansion state of one command's words. */
typedef struct {
	gboolean unknown;   /* a variable with no knowable value was used */
	gboolean uncertain; /* a variable set in a branch that may not run */
} Expansion;

static gboolean
is_name_char(gchar c)
{
	return g_ascii_isalnum(c) || c == '_';
}

static void
lookup_into(Eval *e, const gchar *name, GString *out, Expansion *x)
{
	const Var *var;

	if (g_ascii_isdigit(name[0]) && name[1] == '\0') {
		guint n = (guint)(name[0] - '0');
		if (n > 0 && e->positional != NULL && n <= g_strv_length(e->positional))
			g_string_append(out, e->positional[n - 1]);
		return;
	}
	if (g_str_equal(name, "#")) {
		g_string_append_printf(out, "%u",
				       e->positional != NULL ? g_strv_length(e->positional) : 0);
		return;
	}
	if (g_str_equal(name, "?")) {
		g_string_append_c(out, '0');
		return;
	}
	var = get_var(e, name);
	if (var == NULL)
		return;
	if (var->value == NULL)
		x->unknown = TRUE;
	else
		g_string_append(out, var->value);
	if (!var->certain)
		x->uncertain = TRUE;
}

/* Reads a $name or ${name} at @p; returns the name, advances @p. */
static gchar *
read_var_name(const gchar **p)
{
	const gchar *s = *p + 1;
	const gchar *begin;

	if (*s == '{') {
		const gchar *close = strchr(s, '}');
		if (close == NULL)
			return NULL;
		*p = close + 1;
		return g_strndup(s + 1, close - s - 1);
	}
	if (*s == '?' || *s == '#' || *s == '@' || *s == '*' || g_ascii_isdigit(*s)) {
		*p = s + 1;
		return g_strndup(s, 1);
	}
	begin = s;
	while (is_name_char(*s))
		s++;
	if (s == begin)
		return NULL;
	*p = s;
	return g_strndup(begin, s - begin);
}

/* GRUB's expansion of one word: quotes removed, variables replaced;
 * unquoted values split into fields at blanks. Appends to @fields. */
static void
expand_word(Eval *e, const gchar *raw, GPtrArray *fields, Expansion *x)
{
	g_autoptr(GString) cur = g_string_new(NULL);
	gboolean have = FALSE;
	const gchar *p = raw;

	while (*p != '\0') {
		if (*p == '\\') {
			if (p[1] != '\0' && p[1] != '\n')
				g_string_append_c(cur, p[1]);
			p += p[1] != '\0' ? 2 : 1;
			have = TRUE;
		} else if (*p == '\'') {
			const gchar *close = strchr(p + 1, '\'');
			gsize n = close != NULL ? (gsize)(close - p - 1) : strlen(p + 1);
			g_string_append_len(cur, p + 1, (gssize)n);
			p += n + 1 + (close != NULL);
			have = TRUE;
		} else if (*p == '"') {
			p++;
			while (*p != '\0' && *p != '"') {
				if (*p == '\\' && (p[1] == '$' || p[1] == '"' || p[1] == '\\')) {
					g_string_append_c(cur, p[1]);
					p += 2;
				} else if (*p == '\\' && p[1] == '\n') {
					p += 2;
				} else if (*p == '$') {
					g_autofree gchar *name = read_var_name(&p);
					if (name != NULL)
						lookup_into(e, name, cur, x);
					else
						g_string_append_c(cur, *p++);
				} else {
					g_string_append_c(cur, *p++);
				}
			}
			if (*p == '"')
				p++;
			have = TRUE;
		} else if (*p == '$') {
			g_autofree gchar *name = read_var_name(&p);
			g_autoptr(GString) value = g_string_new(NULL);
			g_auto(GStrv) parts = NULL;
			if (name == NULL) {
				g_string_append_c(cur, *p++);
				have = TRUE;
				continue;
			}
			lookup_into(e, name, value, x);
			parts = g_strsplit_set(value->str, " \t\n", -1);
			for (guint i = 0, n = 0; parts[i] != NULL; i++) {
				if (parts[i][0] == '\0')
					continue;
				if (n++ > 0 || (i > 0 && cur->len > 0)) {
					g_ptr_array_add(fields, g_strdup(cur->str));
					g_string_truncate(cur, 0);
				}
				g_string_append(cur, parts[i]);
				have = TRUE;
			}
		} else {
			g_string_append_c(cur, *p++);
			have = TRUE;
		}
	}
	if (have || cur->len > 0)
		g_ptr_array_add(fields, g_strdup(cur->str));
}

static GStrv
expand_words(Eval *e, GPtrArray *words, guint from, Expansion *x)
{
	g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(g_free);

	for (guint i = from; i < words->len; i++)
		expand_word(e, g_ptr_array_index(words, i), fields, x);
	g_ptr_array_add(fields, NULL);
	return (GStrv)g_ptr_array_free(g_steal_pointer(&fields), FALSE);
}

/* "(cd0)/boot/grub/grub.cfg" -> device "cd0", path "/boot/grub/grub.cfg";
 * "/x" is on $root. FALSE when the device is not one of the image's. */
static gboolean
split_path(Eval *e, const gchar *path, gchar **device, gchar **inner)
{
	g_autofree gchar *dev = NULL;
	const gchar *rest = path;

	if (path[0] == '(') {
		const gchar *close = strchr(path, ')');
		if (close == NULL)
			return FALSE;
		dev = g_strndup(path + 1, close - path - 1);
		rest = close + 1;
	} else {
		const Var *root = get_var(e, "root");
		if (root == NULL || root->value == NULL)
			return FALSE;
		dev = g_strdup(root->value);
		if (dev[0] == '(') {
			gchar *stripped = g_strndup(dev + 1, strlen(dev) - 2);
			g_free(dev);
			dev = stripped;
		}
	}
	if (g_str_equal(dev, "cd") || g_str_equal(dev, SG_BOOT_DEVICE_ISO)) {
		*device = g_strdup(SG_BOOT_DEVICE_ISO);
	} else if (g_str_equal(dev, SG_BOOT_DEVICE_EFI_IMAGE) ||
		   g_str_equal(dev, SG_BOOT_DEVICE_MEMDISK)) {
		*device = g_strdup(dev);
	} else {
		note(e, "the device (%s) is not one this image provides", dev);
		return FALSE;
	}
	*inner = g_strdup(*rest != '\0' ? rest : "/");
	return TRUE;
}

/* A path as entries and problems name it: plain on the ISO. */
static gchar *
display_path(const gchar *device, const gchar *inner)
{
	if (g_str_equal(device, SG_BOOT_DEVICE_ISO))
		return g_strdup(inner);
	return g_strdup_printf("(%s)%s", device, inner);
}

static Result
path_exists(Eval *e, const gchar *path, gboolean want_folder, gboolean want_file)
{
	g_autofree gchar *device = NULL;
	g_autofree gchar *inner = NULL;
	g_autofree gchar *found = NULL;
	gboolean folder;

	if (!split_path(e, path, &device, &inner))
		return RESULT_UNKNOWN;
	found = sg_boot_media_find(e->media, device, inner, FALSE);
	if (found == NULL)
		return RESULT_FALSE;
	folder = sg_boot_media_is_folder(e->media, device, found);
	if ((want_folder && !folder) || (want_file && folder))
		return RESULT_FALSE;
	return RESULT_TRUE;
}

static Result run_list(Eval *e, GPtrArray *nodes);
static void run_file(Eval *e, const gchar *path, gboolean new_context);

static Result
result_not(Result r)
{
	return r == RESULT_UNKNOWN ? RESULT_UNKNOWN : r == RESULT_TRUE ? RESULT_FALSE : RESULT_TRUE;
}

/* GRUB's `test` (commands/test.c), for the forms real configs use. */
static Result
eval_test(Eval *e, GStrv args, guint *pos, guint end)
{
	Result result = RESULT_TRUE, term;
	gboolean negate = FALSE;
	gboolean first = TRUE;
	gboolean use_or = FALSE;

	while (*pos < end) {
		const gchar *a = args[*pos];
		if (g_str_equal(a, "!")) {
			negate = !negate;
			(*pos)++;
			continue;
		}
		if (g_str_equal(a, "-a") || g_str_equal(a, "-o")) {
			use_or = g_str_equal(a, "-o");
			(*pos)++;
			continue;
		}
		if (g_str_equal(a, "(")) {
			(*pos)++;
			term = eval_test(e, args, pos, end);
			if (*pos < end && g_str_equal(args[*pos], ")"))
				(*pos)++;
		} else if (*pos + 2 < end &&
			   (g_str_equal(args[*pos + 1], "=") || g_str_equal(args[*pos + 1], "==") ||
			    g_str_equal(args[*pos + 1], "!="))) {
			gboolean same = g_str_equal(a, args[*pos + 2]);
			term = (g_str_equal(args[*pos + 1], "!=") ? !same : same) ? RESULT_TRUE
										  : RESULT_FALSE;
			*pos += 3;
		} else if (*pos + 2 < end && args[*pos + 1][0] == '-' &&
			   strlen(args[*pos + 1]) == 3 && strchr("elgn", args[*pos + 1][1])) {
			gint64 l = g_ascii_strtoll(a, NULL, 10);
			gint64 r = g_ascii_strtoll(args[*pos + 2], NULL, 10);
			const gchar *op = args[*pos + 1] + 1;
			gboolean v = g_str_equal(op, "eq")   ? l == r
				     : g_str_equal(op, "ne") ? l != r
				     : g_str_equal(op, "lt") ? l < r
				     : g_str_equal(op, "le") ? l <= r
				     : g_str_equal(op, "gt") ? l > r
							     : l >= r;
			term = v ? RESULT_TRUE : RESULT_FALSE;
			*pos += 3;
		} else if (*pos + 1 < end && (g_str_equal(a, "-z") || g_str_equal(a, "-n"))) {
			gboolean empty = args[*pos + 1][0] == '\0';
			term = (g_str_equal(a, "-z") ? empty : !empty) ? RESULT_TRUE : RESULT_FALSE;
			*pos += 2;
		} else if (*pos + 1 < end && (g_str_equal(a, "-e") || g_str_equal(a, "-f") ||
					      g_str_equal(a, "-d") || g_str_equal(a, "-s"))) {
			term = path_exists(e, args[*pos + 1], g_str_equal(a, "-d"),
					   g_str_equal(a, "-f") || g_str_equal(a, "-s"));
			*pos += 2;
		} else if (g_str_equal(a, "-z") || g_str_equal(a, "-n")) {
			/* `[ -z ]`, `[ -n ]` after an empty expansion */
			term = g_str_equal(a, "-z") ? RESULT_TRUE : RESULT_FALSE;
			(*pos)++;
		} else {
			term = a[0] != '\0' ? RESULT_TRUE : RESULT_FALSE;
			(*pos)++;
		}
		if (negate)
			term = result_not(term);
		negate = FALSE;
		if (first) {
			result = term;
		} else if (use_or) {
			result = (result == RESULT_TRUE || term == RESULT_TRUE) ? RESULT_TRUE
				 : (result == RESULT_UNKNOWN || term == RESULT_UNKNOWN)
					 ? RESULT_UNKNOWN
					 : RESULT_FALSE;
		} else {
			result = (result == RESULT_FALSE || term == RESULT_FALSE) ? RESULT_FALSE
				 : (result == RESULT_UNKNOWN || term == RESULT_UNKNOWN)
					 ? RESULT_UNKNOWN
					 : RESULT_TRUE;
		}
		first = FALSE;
		if (*pos < end && g_str_equal(args[*pos], ")"))
			break;
	}
	return result;
}

/* search --file|--label|--fs-uuid [--set[=VAR]] NAME: GRUB walks its
 * devices; this image's are the CD, the EFI image and the memdisk. */
static Result
eval_search(Eval *e, GStrv argv)
{
	const gchar *kind = "file";
	g_autofree gchar *var = NULL;
	const gchar *name = NULL;
	gboolean set = FALSE;
	static const gchar *const devices[] = {SG_BOOT_DEVICE_ISO, SG_BOOT_DEVICE_EFI_IMAGE,
					       SG_BOOT_DEVICE_MEMDISK, NULL};

	if (g_str_equal(argv[0], "search.fs_label"))
		kind = "label";
	else if (g_str_equal(argv[0], "search.fs_uuid"))
		kind = "uuid";
	for (guint i = 1; argv[i] != NULL; i++) {
		const gchar *a = argv[i];
		if (g_str_equal(a, "--file") || g_str_equal(a, "-f")) {
			kind = "file";
		} else if (g_str_equal(a, "--label") || g_str_equal(a, "-l")) {
			kind = "label";
		} else if (g_str_equal(a, "--fs-uuid") || g_str_equal(a, "-u")) {
			kind = "uuid";
		} else if (g_str_has_prefix(a, "--set=")) {
			set = TRUE;
			g_free(var), var = g_strdup(a + strlen("--set="));
		} else if (g_str_equal(a, "--set") || g_str_equal(a, "-s")) {
			set = TRUE;
			/* --set takes the next word as its variable only when a
			 * name still follows it. */
			if (argv[i + 1] != NULL && argv[i + 2] != NULL && argv[i + 1][0] != '-')
				g_free(var), var = g_strdup(argv[++i]);
		} else if (g_str_has_prefix(a, "--hint") || g_str_equal(a, "-h")) {
			if (!strchr(a, '=') && argv[i + 1] != NULL)
				i++;
		} else if (a[0] == '-') {
			continue;
		} else {
			name = a;
		}
	}
	if (name == NULL)
		return RESULT_FALSE;
	for (guint d = 0; devices[d] != NULL; d++) {
		gboolean found = FALSE;
		if (g_str_equal(kind, "file")) {
			g_autofree gchar *path =
				sg_boot_media_find(e->media, devices[d], name, FALSE);
			found = path != NULL;
		} else if (g_str_equal(devices[d], SG_BOOT_DEVICE_ISO)) {
			const gchar *have = g_str_equal(kind, "label")
						    ? sg_boot_media_volume_id(e->media)
						    : sg_boot_media_uuid(e->media);
			found = have != NULL && g_ascii_strcasecmp(have, name) == 0;
		}
		if (found) {
			if (set)
				set_var(e, var != NULL ? var : "root", devices[d], TRUE);
			return RESULT_TRUE;
		}
	}
	if (!g_str_equal(kind, "file"))
		note(e, "search --%s %s: no device of the image matches", kind, name);
	return RESULT_FALSE;
}

/* loadfont NAME|PATH: a bare name is $prefix/fonts/NAME.pf2 (font/font.c). */
static Result
eval_loadfont(Eval *e, GStrv argv, const Expansion *x)
{
	Result result = RESULT_TRUE;

	if (x->unknown || argv[1] == NULL)
		return RESULT_UNKNOWN;
	for (guint i = 1; argv[i] != NULL; i++) {
		g_autofree gchar *path = NULL;
		Result r;
		if (argv[i][0] == '(' || argv[i][0] == '/') {
			path = g_strdup(argv[i]);
		} else {
			const Var *prefix = get_var(e, "prefix");
			if (prefix == NULL || prefix->value == NULL)
				return RESULT_UNKNOWN;
			path = g_strdup_printf("%s/fonts/%s.pf2", prefix->value, argv[i]);
			/* Debian's GRUB also looks in its memdisk (its patch
			 * "font: Try memdisk fonts with the same name"): the
			 * signed CD images carry unicode.pf2 there, and d-i's
			 * menu is drawn with it though no font is on the CD. */
			if (path_exists(e, path, FALSE, TRUE) != RESULT_TRUE) {
				g_autofree gchar *memdisk =
					g_strdup_printf("(memdisk)/fonts/%s.pf2", argv[i]);
				if (path_exists(e, memdisk, FALSE, TRUE) == RESULT_TRUE) {
					g_free(path);
					path = g_steal_pointer(&memdisk);
				}
			}
		}
		r = path_exists(e, path, FALSE, TRUE);
		if (r != RESULT_TRUE)
			result = r;
	}
	return result;
}

static void
set_graphical(Eval *e, SgBootAnswer answer)
{
	if (e->entry != NULL)
		return; /* inside an entry: it runs after the menu */
	if (e->maybe) {
		if (e->loader->graphical != answer)
			e->loader->graphical = SG_BOOT_MAYBE;
		return;
	}
	e->loader->graphical = answer;
}

static gboolean
is_assignment(const gchar *word)
{
	if (!(g_ascii_isalpha(word[0]) || word[0] == '_'))
		return FALSE;
	for (const gchar *p = word; *p != '\0'; p++) {
		if (*p == '=')
			return TRUE;
		if (!is_name_char(*p))
			return FALSE;
	}
	return FALSE;
}

static void
record_kernel(Eval *e, GStrv argv, const Node *node, const Expansion *x)
{
	SgBootEntry *entry = e->entry->entry;
	g_autofree gchar *device = NULL;
	g_autofree gchar *inner = NULL;

	if (argv[1] == NULL)
		return;
	g_free(entry->kernel);
	entry->kernel = split_path(e, argv[1], &device, &inner) ? display_path(device, inner)
								: g_strdup(argv[1]);
	g_free(entry->args);
	entry->args = g_strjoinv(" ", argv + 2);
	e->entry->linux_node = node;
	if (x->unknown)
		note(e, "'%s': its linux line uses a variable whose value cannot be known here",
		     entry->title);
}

static void
record_initrds(Eval *e, GStrv argv)
{
	SgBootEntry *entry = e->entry->entry;
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

	for (guint i = 1; argv[i] != NULL; i++) {
		g_autofree gchar *device = NULL;
		g_autofree gchar *inner = NULL;
		if (g_str_has_prefix(argv[i], "--"))
			continue;
		g_autofree gchar *path = split_path(e, argv[i], &device, &inner)
						 ? display_path(device, inner)
						 : g_strdup(argv[i]);
		g_strv_builder_add(builder, path);
	}
	g_strfreev(entry->initrds);
	entry->initrds = g_strv_builder_end(builder);
}

static void define_menu_item(Eval *e, const Node *node, GStrv argv);

static Result run_argv(Eval *e, const Node *node, GStrv argv, const gchar *raw_first,
		       const Expansion *x);

static Result
run_command(Eval *e, const Node *node)
{
	Expansion x = {FALSE, FALSE};
	g_auto(GStrv) argv = expand_words(e, node->words, 0, &x);
	guint first = 0;
	gboolean negate = FALSE;

	/* `if ! search ...`: GRUB's negation of a command's status. */
	while (argv[first] != NULL && g_str_equal(argv[first], "!")) {
		negate = !negate;
		first++;
	}
	if (argv[first] == NULL)
		return negate ? RESULT_FALSE : RESULT_TRUE;
	Result r = run_argv(e, node, argv + first, g_ptr_array_index(node->words, first), &x);
	return negate ? result_not(r) : r;
}

static Result
run_argv(Eval *e, const Node *node, GStrv argv, const gchar *raw_first, const Expansion *xp)
{
	Expansion x = *xp;
	const gchar *cmd = argv[0];

	if (is_assignment(raw_first)) {
		const gchar *eq = strchr(cmd, '=');
		g_autofree gchar *name = g_strndup(cmd, eq - cmd);
		set_var(e, name, eq + 1, !x.unknown);
		if (x.uncertain)
			((Var *)get_var(e, name))->certain = FALSE;
		return RESULT_TRUE;
	}
	if (g_str_equal(cmd, "set")) {
		for (guint i = 1; argv[i] != NULL; i++) {
			const gchar *eq = strchr(argv[i], '=');
			g_autofree gchar *name =
				eq != NULL ? g_strndup(argv[i], eq - argv[i]) : g_strdup(argv[i]);
			set_var(e, name, eq != NULL ? eq + 1 : "", !x.unknown);
			if (x.uncertain)
				((Var *)get_var(e, name))->certain = FALSE;
		}
		return RESULT_TRUE;
	}
	if (g_str_equal(cmd, "unset")) {
		for (guint i = 1; argv[i] != NULL; i++)
			g_hash_table_remove(e->env, argv[i]);
		return RESULT_TRUE;
	}
	if (g_str_equal(cmd, "export")) {
		for (guint i = 1; argv[i] != NULL; i++)
			g_hash_table_replace(e->exported, g_strdup(argv[i]), g_strdup(argv[i]));
		return RESULT_TRUE;
	}
	if (g_str_equal(cmd, "true"))
		return RESULT_TRUE;
	if (g_str_equal(cmd, "false"))
		return RESULT_FALSE;
	if (g_str_equal(cmd, "[") || g_str_equal(cmd, "test")) {
		guint end = g_strv_length(argv), pos = 1;
		if (g_str_equal(cmd, "[") && end > 1 && g_str_equal(argv[end - 1], "]"))
			end--;
		if (x.unknown)
			return RESULT_UNKNOWN;
		return eval_test(e, argv, &pos, end);
	}
	if (g_str_equal(cmd, "source") || g_str_equal(cmd, ".") || g_str_equal(cmd, "configfile") ||
	    g_str_equal(cmd, "normal")) {
		gboolean replaces = !g_str_equal(cmd, "source") && !g_str_equal(cmd, ".");
		g_autofree gchar *file = NULL;
		if (e->entry != NULL)
			return RESULT_TRUE; /* an entry that chains to another config */
		if (argv[1] != NULL) {
			file = g_strdup(argv[1]);
		} else if (g_str_equal(cmd, "normal")) {
			const Var *prefix = get_var(e, "prefix");
			if (prefix != NULL && prefix->value != NULL)
				file = g_strconcat(prefix->value, "/grub.cfg", NULL);
		}
		if (file == NULL || x.unknown) {
			note(e, "%s: which file cannot be known here", cmd);
			return RESULT_UNKNOWN;
		}
		run_file(e, file, replaces);
		if (replaces && !e->maybe)
			e->replaced = TRUE;
		return RESULT_TRUE;
	}
	if (g_str_has_prefix(cmd, "search"))
		return eval_search(e, argv);
	if (g_str_equal(cmd, "loadfont"))
		return eval_loadfont(e, argv, &x);
	if (g_str_equal(cmd, "terminal_output") || g_str_equal(cmd, "terminal_output.gfxterm")) {
		gboolean gfx = g_str_equal(cmd, "terminal_output.gfxterm");
		gboolean console = FALSE;
		for (guint i = 1; argv[i] != NULL; i++) {
			gfx |= g_str_equal(argv[i], "gfxterm");
			console |= g_str_equal(argv[i], "console");
		}
		if (gfx)
			set_graphical(e, SG_BOOT_YES);
		else if (console)
			set_graphical(e, SG_BOOT_NO);
		return RESULT_TRUE;
	}
	if (g_str_equal(cmd, "keystatus"))
		return RESULT_FALSE; /* no key is held while the config runs */
	if (g_str_equal(cmd, "cpuid"))
		return g_str_equal(e->start->cpu, "x86_64") ? RESULT_TRUE : RESULT_UNKNOWN;
	if (g_str_equal(cmd, "insmod") || g_str_equal(cmd, "echo") || g_str_equal(cmd, "play") ||
	    g_str_equal(cmd, "sleep") || g_str_equal(cmd, "clear") || g_str_equal(cmd, "setparams"))
		return RESULT_TRUE;
	if (g_str_equal(cmd, "linux") || g_str_equal(cmd, "linuxefi") ||
	    g_str_equal(cmd, "linux16")) {
		if (e->entry != NULL)
			record_kernel(e, argv, node, &x);
		return RESULT_TRUE;
	}
	if (g_str_equal(cmd, "initrd") || g_str_equal(cmd, "initrdefi") ||
	    g_str_equal(cmd, "initrd16")) {
		if (e->entry != NULL)
			record_initrds(e, argv);
		return RESULT_TRUE;
	}
	if (g_hash_table_contains(e->functions, cmd)) {
		const Node *function = g_hash_table_lookup(e->functions, cmd);
		GStrv saved = e->positional;
		Result r;
		if (e->depth >= MAX_DEPTH * 4)
			return RESULT_UNKNOWN;
		e->depth++;
		e->positional = argv + 1;
		r = run_list(e, function->body);
		e->positional = saved;
		e->depth--;
		return r;
	}
	/* Any other command (background_image, smbios, regexp, probe ...): its
	 * outcome is not knowable without the machine. Those that set a
	 * variable with --set make it unknown. */
	for (guint i = 1; argv[i] != NULL; i++) {
		if (g_str_has_prefix(argv[i], "--set="))
			set_var(e, argv[i] + strlen("--set="), NULL, FALSE);
		else if ((g_str_equal(argv[i], "--set") || g_str_equal(argv[i], "-s")) &&
			 argv[i + 1] != NULL)
			set_var(e, argv[i + 1], NULL, FALSE);
	}
	return RESULT_UNKNOWN;
}

static Result
run_if(Eval *e, const Node *node)
{
	gboolean saved = e->maybe;
	Result result = RESULT_TRUE;

	for (guint i = 0; i < node->conds->len && !e->replaced; i++) {
		Result r = run_list(e, g_ptr_array_index(node->conds, i));
		if (r == RESULT_FALSE)
			continue;
		if (r == RESULT_UNKNOWN)
			e->maybe = TRUE;
		result = run_list(e, g_ptr_array_index(node->branches, i));
		if (r == RESULT_TRUE) {
			e->maybe = saved;
			return result;
		}
		/* Undecided: the later branches may run instead. */
	}
	if (node->otherwise != NULL && !e->replaced)
		result = run_list(e, node->otherwise);
	e->maybe = saved;
	return result;
}

static Result
run_node(Eval *e, const Node *node)
{
	if (++e->steps > MAX_STEPS) {
		note(e, "stopped after %u commands", MAX_STEPS);
		e->replaced = TRUE;
		return RESULT_UNKNOWN;
	}
	switch (node->kind) {
	case NODE_COMMAND:
		return run_command(e, node);
	case NODE_IF:
		return run_if(e, node);
	case NODE_FUNCTION:
		if (node->words->len > 0)
			g_hash_table_replace(e->functions,
					     g_strdup(g_ptr_array_index(node->words, 0)),
					     (gpointer)node);
		return RESULT_TRUE;
	case NODE_LOOP:
		note(e, "a for/while loop is not evaluated");
		return RESULT_UNKNOWN;
	case NODE_BLOCK: {
		Expansion x = {FALSE, FALSE};
		g_auto(GStrv) argv = expand_words(e, node->words, 0, &x);
		if (argv[0] != NULL &&
		    (g_str_equal(argv[0], "menuentry") || g_str_equal(argv[0], "submenu")))
			define_menu_item(e, node, argv);
		return RESULT_TRUE;
	}
	}
	return RESULT_UNKNOWN;
}

static Result
run_list(Eval *e, GPtrArray *nodes)
{
	Result result = RESULT_TRUE;
	for (guint i = 0; nodes != NULL && i < nodes->len && !e->replaced; i++)
		result = run_node(e, g_ptr_array_index(nodes, i));
	return result;
}

/* menuentry/submenu options (commands/menuentry.c): those that take a value. */
static gboolean
option_takes_value(const gchar *option)
{
	static const gchar *const with_value[] = {"--class",  "--users",    "--hotkey", "--id",
						  "--source", "--help-msg", NULL};
	return g_strv_contains(with_value, option);
}

/* setparams 'A' 'B': how GRUB quotes the entry's arguments as its
 * editor's first line (commands/menuentry.c: setparams_prefix). */
static gchar *
setparams_line(GPtrArray *args)
{
	GString *line = g_string_new("setparams");
	for (guint i = 0; i < args->len; i++) {
		g_auto(GStrv) parts = g_strsplit(g_ptr_array_index(args, i), "'", -1);
		g_autofree gchar *quoted = g_strjoinv("'\\''", parts);
		g_string_append_printf(line, " '%s'", quoted);
	}
	return g_string_free(line, FALSE);
}

/* The editor line on which @node ends, counting the setparams line as 0;
 * -1 when another command follows it on that line. */
static gint
editor_line_of(const Script *script, const Node *menu, const Node *node)
{
	gint line = 1;
	gsize at;

	for (gsize i = menu->block_start; i < node->end && i < script->len; i++)
		line += script->text[i] == '\n';
	for (at = node->end; at < menu->block_end; at++) {
		gchar c = script->text[at];
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (c == '\n' || c == '#')
			return line;
		return -1;
	}
	return line;
}

static void
define_menu_item(Eval *e, const Node *node, GStrv argv)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
	MenuItem *item = g_new0(MenuItem, 1);
	gboolean submenu = g_str_equal(argv[0], "submenu");

	for (guint i = 1; argv[i] != NULL; i++) {
		const gchar *a = argv[i];
		if (g_str_has_prefix(a, "--")) {
			const gchar *eq = strchr(a, '=');
			g_autofree gchar *option = eq != NULL ? g_strndup(a, eq - a) : g_strdup(a);
			const gchar *value = eq != NULL ? eq + 1 : NULL;
			if (value == NULL && option_takes_value(option) && argv[i + 1] != NULL)
				value = argv[++i];
			if (g_str_equal(option, "--id") && value != NULL)
				g_free(item->id), item->id = g_strdup(value);
			if (g_str_equal(option, "--hidden"))
				item->hidden = TRUE;
			continue;
		}
		g_ptr_array_add(args, g_strdup(a));
	}
	item->title = g_strdup(args->len > 0 ? g_ptr_array_index(args, 0) : "");
	item->submenu = submenu;
	item->entry = -1;
	if (e->maybe)
		note(e, "'%s' is defined in a branch that may not run", item->title);
	g_ptr_array_add(e->current->children, item);

	if (submenu) {
		MenuItem *saved_current = e->current;
		GHashTable *saved_env = env_copy(e->env);
		item->children = g_ptr_array_new_with_free_func((GDestroyNotify)menu_item_free);
		e->current = item;
		g_ptr_array_add(e->titles, g_strdup(item->title));
		run_list(e, node->body);
		g_ptr_array_remove_index(e->titles, e->titles->len - 1);
		e->current = saved_current;
		g_hash_table_unref(e->env);
		e->env = saved_env;
		return;
	}

	/* The entry's body runs when it is booted; the config has set its
	 * variables by then, which here is now. */
	{
		SgBootEntry *entry = g_new0(SgBootEntry, 1);
		EntryRun run = {.entry = entry, .script = e->script, .menu_node = node};
		GHashTable *saved_env = env_copy(e->env);
		GStrv saved_positional = e->positional;
		g_autofree gchar *block = g_strndup(e->script->text + node->block_start,
						    node->block_end - node->block_start);
		g_auto(GStrv) body_lines = g_strsplit(block, "\n", -1);
		g_autoptr(GStrvBuilder) lines = g_strv_builder_new();

		entry->title = g_strdup(item->title);
		entry->label = g_strdup(item->id);
		entry->hidden = item->hidden;
		entry->initrds = g_new0(gchar *, 1);
		entry->editor_linux_line = -1;
		if (e->titles->len > 0) {
			g_ptr_array_add(e->titles, NULL);
			entry->submenu = g_strjoinv(" > ", (gchar **)e->titles->pdata);
			g_ptr_array_remove_index(e->titles, e->titles->len - 1);
		}
		g_autofree gchar *setparams = setparams_line(args);
		g_strv_builder_add(lines, setparams);
		g_strv_builder_addv(lines, (const gchar **)body_lines);
		entry->editor_lines = g_strv_builder_end(lines);

		g_ptr_array_add(args, NULL);
		e->positional = (GStrv)args->pdata;
		e->entry = &run;
		run_list(e, node->body);
		e->entry = NULL;
		e->positional = saved_positional;
		g_ptr_array_remove_index(args, args->len - 1);
		g_hash_table_unref(e->env);
		e->env = saved_env;

		if (run.linux_node != NULL)
			entry->editor_linux_line = editor_line_of(e->script, node, run.linux_node);
		/* The menu's config is the file its entries come from (Debian's
		 * CD GRUB shows /boot/grub/grub.cfg through its memdisk's). */
		if (e->loader->entries->len == 0) {
			g_free(e->loader->config);
			e->loader->config = g_strdup(e->script->name);
		}
		item->entry = (gint)e->loader->entries->len;
		g_ptr_array_add(e->loader->entries, entry);
	}
}

static Script *
parse_script(Eval *e, const gchar *name, GBytes *bytes)
{
	Script *script = g_new0(Script, 1);
	Parser parser = {0};

	script->name = g_strdup(name);
	script->len = g_bytes_get_size(bytes);
	script->text = g_strndup(g_bytes_get_data(bytes, NULL), script->len);
	script->len = strlen(script->text); /* a NUL ends a config file */
	parser.text = script->text;
	parser.len = script->len;
	script->nodes = parse_list(&parser, NULL);
	if (parser.error == NULL && parser.pos < parser.len)
		syntax_error(&parser, parser.pos, "unexpected '}'");
	if (parser.error != NULL)
		note(e, "%s: syntax error at %s; GRUB stops reading the file there", name,
		     parser.error);
	g_free(parser.error);
	return script;
}

static void
run_script(Eval *e, Script *script, gboolean new_context)
{
	const Script *saved_script = e->script;

	if (new_context) {
		/* configfile and normal start a new menu, in a context that
		 * keeps only exported variables (kern/env.c). */
		GHashTable *env = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							(GDestroyNotify)var_free);
		GHashTableIter iter;
		gpointer key;
		g_hash_table_iter_init(&iter, e->exported);
		while (g_hash_table_iter_next(&iter, &key, NULL)) {
			const Var *var = get_var(e, key);
			if (var != NULL) {
				Var *dup = g_new0(Var, 1);
				dup->value = g_strdup(var->value);
				dup->certain = var->certain;
				g_hash_table_insert(env, g_strdup(key), dup);
			}
		}
		g_hash_table_unref(e->env);
		e->env = env;
		g_clear_pointer(&e->menu, menu_item_free);
		e->menu = menu_new();
		e->current = e->menu;
		g_ptr_array_set_size(e->loader->entries, 0);
		g_free(e->loader->config);
		e->loader->config = g_strdup(script->name);
	}
	e->script = script;
	run_list(e, script->nodes);
	e->script = saved_script;
}

static void
run_file(Eval *e, const gchar *path, gboolean new_context)
{
	g_autofree gchar *device = NULL;
	g_autofree gchar *inner = NULL;
	g_autofree gchar *name = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error = NULL;
	Script *script;

	if (!split_path(e, path, &device, &inner)) {
		note(e, "%s: which device it is on cannot be known here", path);
		return;
	}
	name = g_strdup_printf("(%s)%s", device, inner);
	if (e->depth >= MAX_DEPTH || e->scripts->len >= MAX_FILES) {
		note(e, "%s: not followed (more than %u files or %u deep)", name, MAX_FILES,
		     MAX_DEPTH);
		return;
	}
	bytes = sg_boot_media_read(e->media, device, inner, MAX_CONFIG_BYTES, &error);
	if (bytes == NULL) {
		note(e, "%s: %s", name, error->message);
		return;
	}
	g_ptr_array_add(e->loader->config_files, g_strdup(name));
	script = parse_script(e, name, bytes);
	g_ptr_array_add(e->scripts, script);
	e->depth++;
	run_script(e, script, new_context);
	e->depth--;
}

/* ---- The menu GRUB shows at the end */

static gboolean
all_digits(const gchar *s)
{
	if (*s == '\0')
		return FALSE;
	for (; *s != '\0'; s++)
		if (!g_ascii_isdigit(*s))
			return FALSE;
	return TRUE;
}

static MenuItem *
first_entry(MenuItem *menu)
{
	for (guint i = 0; menu->children != NULL && i < menu->children->len; i++) {
		MenuItem *item = g_ptr_array_index(menu->children, i);
		if (item->hidden)
			continue;
		if (!item->submenu)
			return item;
	}
	return NULL;
}

/* GRUB's default: an index, a title or an id, "A>B" into submenus
 * (normal/menu.c). */
static void
resolve_default(Eval *e)
{
	SgBootLoader *loader = e->loader;
	const Var *var = get_var(e, "default");
	g_auto(GStrv) parts = NULL;
	MenuItem *menu = e->menu;
	MenuItem *item = NULL;

	if (var != NULL && var->value == NULL) {
		note(e, "default is set to a value that cannot be known here");
		return;
	}
	if (var != NULL && !var->certain)
		note(e, "default is set in a branch that may not run");
	parts = g_strsplit(var != NULL && var->value[0] != '\0' ? var->value : "0", ">", -1);
	for (guint p = 0; parts[p] != NULL; p++) {
		item = NULL;
		if (all_digits(parts[p])) {
			guint want = (guint)atoi(parts[p]), n = 0;
			for (guint i = 0; i < menu->children->len && item == NULL; i++) {
				MenuItem *candidate = g_ptr_array_index(menu->children, i);
				if (!candidate->hidden && n++ == want)
					item = candidate;
			}
		} else {
			for (guint i = 0; i < menu->children->len && item == NULL; i++) {
				MenuItem *candidate = g_ptr_array_index(menu->children, i);
				if (g_strcmp0(candidate->id, parts[p]) == 0 ||
				    g_strcmp0(candidate->title, parts[p]) == 0)
					item = candidate;
			}
		}
		if (item == NULL) {
			note(e, "default '%s' names no entry: GRUB falls back to the first",
			     var != NULL ? var->value : "0");
			item = NULL;
			menu = e->menu;
			break;
		}
		if (!item->submenu || parts[p + 1] == NULL)
			break;
		menu = item;
	}
	if (item == NULL) {
		if (e->menu->children->len > 0) {
			item = g_ptr_array_index(e->menu->children, 0);
		} else {
			return;
		}
	}
	if (item->submenu) {
		note(e, "the default is the submenu '%s': on timeout GRUB opens it", item->title);
		item = first_entry(item);
	}
	if (item != NULL)
		loader->default_entry = item->entry;
}

static void
read_settings(Eval *e)
{
	SgBootLoader *loader = e->loader;
	const Var *timeout = get_var(e, "timeout");
	const Var *style = get_var(e, "timeout_style");

	loader->timeout_known = SG_BOOT_YES;
	if (timeout == NULL) {
		loader->timeout_ds = -1;
	} else if (timeout->value == NULL) {
		loader->timeout_ds = -1;
		loader->timeout_known = SG_BOOT_NO;
		note(e, "timeout is set to a value that cannot be known here");
	} else {
		gint64 seconds = g_ascii_strtoll(timeout->value, NULL, 10);
		loader->timeout_ds = seconds < 0 ? -1 : (gint)MIN(seconds, G_MAXINT / 10) * 10;
		if (!timeout->certain) {
			loader->timeout_known = SG_BOOT_MAYBE;
			note(e, "timeout=%s is set in a branch that may not run", timeout->value);
		}
	}
	loader->timeout_style =
		g_strdup(style != NULL && style->value != NULL ? style->value : "menu");
	resolve_default(e);
}

void
sg_grub_run(SgBootMedia *media, const SgGrubStart *start, SgBootLoader *loader)
{
	static const gchar *const features[] = {"feature_chainloader_bpb",
						"feature_ntldr",
						"feature_platform_search_hint",
						"feature_default_font_path",
						"feature_all_video_module",
						"feature_menuentry_id",
						"feature_menuentry_options",
						"feature_200_final",
						"feature_nativedisk_cmd",
						"feature_timeout_style",
						NULL};
	g_autofree gchar *device_root = g_strdup_printf("(%s)", start->device);
	g_autofree gchar *prefix = NULL;
	Eval e = {
		.media = media,
		.loader = loader,
		.start = start,
		.env = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)var_free),
		.exported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
		.functions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.scripts = g_ptr_array_new_with_free_func((GDestroyNotify)script_free),
		.menu = menu_new(),
		.titles = g_ptr_array_new_with_free_func(g_free),
		.noted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
	};

	loader->kind = SG_BOOT_LOADER_GRUB;
	loader->graphical = SG_BOOT_NO;
	e.current = e.menu;
	/* kern/main.c: a built-in prefix without a device is on the boot
	 * device; no prefix is the binary's own folder. */
	if (start->prefix == NULL || start->prefix[0] == '\0')
		prefix = g_strdup(start->cmdpath);
	else if (start->prefix[0] == '(')
		prefix = g_strdup(start->prefix);
	else
		prefix = g_strconcat(device_root, start->prefix, NULL);
	if (prefix[0] == '(' && strchr(prefix, ')') != NULL) {
		g_autofree gchar *root = g_strndup(prefix + 1, strchr(prefix, ')') - prefix - 1);
		set_var(&e, "root", root, TRUE);
	}
	set_var(&e, "prefix", prefix, TRUE);
	set_var(&e, "cmdpath", start->cmdpath, TRUE);
	set_var(&e, "grub_platform", start->platform, TRUE);
	set_var(&e, "grub_cpu", start->cpu, TRUE);
	/* normal/main.c sets and exports these: configfile keeps them. */
	for (guint i = 0; features[i] != NULL; i++) {
		set_var(&e, features[i], "y", TRUE);
		g_hash_table_replace(e.exported, g_strdup(features[i]), g_strdup(features[i]));
	}
	for (const gchar *const *name = (const gchar *const[]){"root", "prefix", "cmdpath",
							       "grub_platform", "grub_cpu", NULL};
	     *name != NULL; name++)
		g_hash_table_replace(e.exported, g_strdup(*name), g_strdup(*name));

	if (start->embedded != NULL) {
		g_autoptr(GBytes) bytes = g_bytes_new(start->embedded, strlen(start->embedded));
		Script *script = parse_script(&e, "(built-in config)", bytes);
		g_ptr_array_add(e.scripts, script);
		g_ptr_array_add(loader->config_files, g_strdup(script->name));
		run_script(&e, script, FALSE);
	}
	/* Without a `normal` of its own, GRUB enters normal mode, which reads
	 * $prefix/grub.cfg. */
	if (!e.replaced && loader->config == NULL) {
		const Var *now = get_var(&e, "prefix");
		if (now != NULL && now->value != NULL) {
			g_autofree gchar *file = g_strconcat(now->value, "/grub.cfg", NULL);
			run_file(&e, file, TRUE);
		} else {
			note(&e, "$prefix cannot be known here: normal mode's grub.cfg is unknown");
		}
	}
	if (loader->config != NULL)
		read_settings(&e);

	menu_item_free(e.menu);
	g_hash_table_unref(e.env);
	g_hash_table_unref(e.exported);
	g_hash_table_unref(e.functions);
	g_ptr_array_unref(e.scripts);
	g_ptr_array_unref(e.titles);
	g_hash_table_unref(e.noted);
}
