"""The domain model the handlers share: images, launch rules, Marketplace, prices, catalog, regions, instance
types, disks, lifecycle and clock, the OSS stand-in, resources, validation, paging. Imports state and wire."""
