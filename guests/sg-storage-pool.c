#include "sg-storage-pool.h"

#include "sg-files.h"

#define POOL_PATH "/var/lib/libvirt/smokegate"

/* Several coordinators may race to define the pool: losing that race is
 * fine as long as the pool is there and active afterwards. */
virStoragePoolPtr
sg_storage_pool_ensure(virConnectPtr conn, GError **error)
{
	g_autoptr(virStoragePool) pool = virStoragePoolLookupByName(conn, SG_STORAGE_POOL_NAME);

	if (pool == NULL) {
		const gchar *xml = "<pool type='dir'>\n"
				   "  <name>" SG_STORAGE_POOL_NAME "</name>\n"
				   "  <target><path>" POOL_PATH "</path></target>\n"
				   "</pool>\n";
		pool = virStoragePoolDefineXML(conn, xml, 0);
		if (pool == NULL)
			pool = virStoragePoolLookupByName(conn, SG_STORAGE_POOL_NAME);
		if (pool == NULL) {
			sg_virt_set_error(error, "cannot define the storage pool %s",
					  SG_STORAGE_POOL_NAME);
			return NULL;
		}
		/* Builds the folder; it may be there already. */
		virStoragePoolBuild(pool, 0);
		if (virStoragePoolSetAutostart(pool, 1) < 0)
			g_debug("cannot set the pool %s to autostart: %s", SG_STORAGE_POOL_NAME,
				sg_virt_last_error());
		g_message("created the storage pool %s (%s)", SG_STORAGE_POOL_NAME, POOL_PATH);
	}
	if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) < 0 &&
	    virStoragePoolIsActive(pool) != 1) {
		sg_virt_set_error(error, "cannot start the storage pool %s", SG_STORAGE_POOL_NAME);
		return NULL;
	}
	return g_steal_pointer(&pool);
}

GPtrArray *
sg_storage_pool_list_volumes(virStoragePoolPtr pool, GError **error)
{
	virStorageVolPtr *vols = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	int count;

	/* Every volume is made through libvirt, so the pool knows them all
	 * without a refresh (which fails while any upload runs). */
	count = virStoragePoolListAllVolumes(pool, &vols, 0);
	if (count < 0) {
		sg_virt_set_error(error, "cannot list the volumes of pool %s",
				  SG_STORAGE_POOL_NAME);
		return NULL;
	}
	for (int i = 0; i < count; i++) {
		const char *name = virStorageVolGetName(vols[i]);
		if (name != NULL)
			g_ptr_array_add(names, g_strdup(name));
		virStorageVolFree(vols[i]);
	}
	free(vols);
	sg_sort_strings(names);
	return g_steal_pointer(&names);
}

virStorageVolPtr
sg_storage_pool_lookup_volume(virStoragePoolPtr pool, const gchar *name)
{
	return virStorageVolLookupByName(pool, name);
}

gboolean
sg_storage_pool_delete_volume(virStoragePoolPtr pool, const gchar *name)
{
	g_autoptr(virStorageVol) vol = virStorageVolLookupByName(pool, name);

	if (vol == NULL || virStorageVolDelete(vol, 0) < 0) {
		g_debug("cannot delete volume %s: %s", name, sg_virt_last_error());
		return FALSE;
	}
	return TRUE;
}

virStorageVolPtr
sg_storage_pool_create_volume(virStoragePoolPtr pool, const gchar *name, guint64 capacity,
			      const gchar *format, const gchar *backing, GError **error)
{
	g_autofree gchar *escaped = g_markup_escape_text(name, -1);
	g_autofree gchar *escaped_backing =
		backing != NULL ? g_markup_escape_text(backing, -1) : NULL;
	g_autofree gchar *backing_xml =
		backing != NULL ? g_strdup_printf("  <backingStore><path>%s</path>"
						  "<format type='qcow2'/></backingStore>\n",
						  escaped_backing)
				: g_strdup("");
	g_autofree gchar *xml =
		g_strdup_printf("<volume>\n"
				"  <name>%s</name>\n"
				"  <capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>\n"
				"  <allocation unit='bytes'>0</allocation>\n"
				"  <target><format type='%s'/></target>\n"
				"%s"
				"</volume>\n",
				escaped, capacity, format != NULL ? format : "raw", backing_xml);
	virStorageVolPtr vol = virStorageVolCreateXML(pool, xml, 0);

	if (vol == NULL)
		sg_virt_set_error(error, "cannot create volume %s in pool %s", name,
				  SG_STORAGE_POOL_NAME);
	return vol;
}

gchar *
sg_storage_volume_get_path(virStorageVolPtr vol, GError **error)
{
	char *path = virStorageVolGetPath(vol);
	gchar *copy;

	if (path == NULL) {
		sg_virt_set_error(error, "cannot tell the path of volume %s",
				  virStorageVolGetName(vol));
		return NULL;
	}
	copy = g_strdup(path);
	free(path);
	return copy;
}
